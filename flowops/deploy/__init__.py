"""Deploy: export, plan, promote (apply), release records, the lock and history."""
