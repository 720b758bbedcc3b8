"""Typed access to flows and modules, their versions and their aliases."""

from __future__ import annotations

from flowops.sandbox.store.database import Database
from flowops.sandbox.store.records import Alias, Flow, Version


class FlowTables(Database):
    """Flows and modules (one table, ``kind`` ``flow`` or ``module``), versions, aliases."""

    # --- flows and modules -------------------------------------------------------------

    def flow(self, instance_id: str, kind: str, fid: str) -> Flow | None:
        """A flow or module of an instance by id."""
        row = self.one(
            "SELECT * FROM flows WHERE instance_id = ? AND kind = ? AND id = ?",
            instance_id,
            kind,
            fid,
        )
        return Flow.of(row) if row else None

    def flow_by_arn(self, arn: str) -> Flow | None:
        """A flow or module by ARN."""
        row = self.one("SELECT * FROM flows WHERE arn = ?", arn)
        return Flow.of(row) if row else None

    def flows(self, instance_id: str, kind: str) -> list[Flow]:
        """Every flow (or module) of an instance, in creation order."""
        rows = self.all(
            "SELECT * FROM flows WHERE instance_id = ? AND kind = ? ORDER BY seq",
            instance_id,
            kind,
        )
        return [Flow.of(r) for r in rows]

    def flow_arns(self, instance_id: str) -> list[str]:
        """The ARNs of every flow and module of an instance."""
        return [
            r["arn"] for r in self.all("SELECT arn FROM flows WHERE instance_id = ?", instance_id)
        ]

    def flow_name_taken(self, instance_id: str, kind: str, name: str) -> bool:
        """Is the name used by a flow (or a module) in the instance?

        Flow names are unique per instance whatever the type, as Connect's
        UpdateContactFlowName, which takes no type, shows; modules are apart.
        """
        return (
            self.one(
                "SELECT 1 FROM flows WHERE instance_id = ? AND kind = ? AND name = ?",
                instance_id,
                kind,
                name,
            )
            is not None
        )

    def count_flows(self, instance_id: str, kind: str) -> int:
        """How many flows (or modules) the instance has."""
        row = self.one(
            "SELECT COUNT(*) AS n FROM flows WHERE instance_id = ? AND kind = ?",
            instance_id,
            kind,
        )
        return int(row["n"]) if row else 0

    def insert_flow(self, record: Flow) -> Flow:
        """Add a flow or module; returns it as stored."""
        self.run(
            "INSERT INTO flows(arn, instance_id, kind, id, name, type, description, state, "
            "published, saved, settings, modified, region) "
            "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            record.arn,
            record.instance_id,
            record.kind,
            record.id,
            record.name,
            record.type,
            record.description,
            record.state,
            record.published,
            record.saved,
            record.settings,
            record.modified,
            record.region,
        )
        stored = self.flow_by_arn(record.arn)
        assert stored is not None
        return stored

    def write_content(
        self,
        arn: str,
        *,
        content: str,
        publish: bool,
        settings: str | None,
        modified: float,
        region: str,
    ) -> None:
        """Publish content (clearing saved edits) or store it as saved edits."""
        column = "published = ?, saved = NULL" if publish else "saved = ?"
        self.run(
            f"UPDATE flows SET {column}, settings = ?, modified = ?, region = ? WHERE arn = ?",
            content,
            settings,
            modified,
            region,
            arn,
        )

    def write_metadata(
        self, arn: str, *, name: str, description: str, state: str, modified: float, region: str
    ) -> None:
        """Replace name, description and state."""
        self.run(
            "UPDATE flows SET name = ?, description = ?, state = ?, modified = ?, region = ? "
            "WHERE arn = ?",
            name,
            description,
            state,
            modified,
            region,
            arn,
        )

    def delete_flow(self, arn: str) -> None:
        """Remove a flow or module with its versions, aliases and tags."""
        self.run("DELETE FROM versions WHERE flow_arn = ?", arn)
        self.run("DELETE FROM aliases WHERE flow_arn = ?", arn)
        self.run("DELETE FROM tags WHERE arn = ?", arn)
        self.run("DELETE FROM flows WHERE arn = ?", arn)

    # --- versions ------------------------------------------------------------------------

    def versions(self, flow_arn: str) -> list[Version]:
        """The versions of a flow, oldest first."""
        rows = self.all("SELECT * FROM versions WHERE flow_arn = ? ORDER BY version", flow_arn)
        return [Version.of(r) for r in rows]

    def version(self, flow_arn: str, number: int) -> Version | None:
        """One version of a flow."""
        row = self.one(
            "SELECT * FROM versions WHERE flow_arn = ? AND version = ?", flow_arn, number
        )
        return Version.of(row) if row else None

    def version_with_sha(self, flow_arn: str, sha: str) -> Version | None:
        """The newest version whose content has this SHA-256."""
        row = self.one(
            "SELECT * FROM versions WHERE flow_arn = ? AND sha = ? ORDER BY version DESC",
            flow_arn,
            sha,
        )
        return Version.of(row) if row else None

    def insert_version(self, record: Version) -> None:
        """Add a version and move the flow's next version number past it."""
        self.run(
            "INSERT INTO versions(flow_arn, version, content, sha, settings, description, "
            "modified, region) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
            record.flow_arn,
            record.version,
            record.content,
            record.sha,
            record.settings,
            record.description,
            record.modified,
            record.region,
        )
        self.run(
            "UPDATE flows SET next_version = ? WHERE arn = ?", record.version + 1, record.flow_arn
        )

    def delete_version(self, flow_arn: str, number: int) -> None:
        """Remove one version (its number is never reused)."""
        self.run("DELETE FROM versions WHERE flow_arn = ? AND version = ?", flow_arn, number)

    # --- aliases -------------------------------------------------------------------------

    def aliases(self, flow_arn: str) -> list[Alias]:
        """The aliases of a flow, in creation order."""
        rows = self.all("SELECT * FROM aliases WHERE flow_arn = ? ORDER BY seq", flow_arn)
        return [Alias.of(r) for r in rows]

    def alias(self, flow_arn: str, id_or_name: str) -> Alias | None:
        """An alias of a flow by id or by name."""
        row = self.one(
            "SELECT * FROM aliases WHERE flow_arn = ? AND (id = ? OR name = ?)",
            flow_arn,
            id_or_name,
            id_or_name,
        )
        return Alias.of(row) if row else None

    def alias_on_version(self, flow_arn: str, number: int) -> Alias | None:
        """An alias pointing at this version, if any."""
        row = self.one("SELECT * FROM aliases WHERE flow_arn = ? AND version = ?", flow_arn, number)
        return Alias.of(row) if row else None

    def insert_alias(self, record: Alias) -> None:
        """Add an alias."""
        self.run(
            "INSERT INTO aliases(id, flow_arn, name, description, version, modified, region) "
            "VALUES(?, ?, ?, ?, ?, ?, ?)",
            record.id,
            record.flow_arn,
            record.name,
            record.description,
            record.version,
            record.modified,
            record.region,
        )

    def update_alias(self, record: Alias) -> None:
        """Replace an alias's name, description and version."""
        self.run(
            "UPDATE aliases SET name = ?, description = ?, version = ?, modified = ?, region = ? "
            "WHERE id = ?",
            record.name,
            record.description,
            record.version,
            record.modified,
            record.region,
            record.id,
        )

    def delete_alias(self, alias_id: str) -> None:
        """Remove an alias."""
        self.run("DELETE FROM aliases WHERE id = ?", alias_id)
