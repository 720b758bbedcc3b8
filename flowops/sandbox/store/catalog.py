"""Typed access to instances, catalog resources, tags and Lex V2 bots."""

from __future__ import annotations

import json
from typing import Any

from flowops.sandbox.store.database import Database
from flowops.sandbox.store.records import Instance, LexAlias, LexBot, Resource


class CatalogTables(Database):
    """Instances, the catalog resources of each instance, tags and Lex V2 bots."""

    # --- instances ---------------------------------------------------------------------

    def instance(self, instance_id: str) -> Instance | None:
        """The instance with this id, in any account."""
        row = self.one("SELECT * FROM instances WHERE id = ?", instance_id)
        return Instance.of(row) if row else None

    def instances(self, account: str, region: str) -> list[Instance]:
        """The instances of an account and Region, in creation order."""
        rows = self.all(
            "SELECT * FROM instances WHERE account = ? AND region = ? ORDER BY seq",
            account,
            region,
        )
        return [Instance.of(r) for r in rows]

    def has_instances(self) -> bool:
        """Is there any instance at all (an unseeded database has none)?"""
        return self.one("SELECT 1 FROM instances LIMIT 1") is not None

    def instance_alias_taken(self, account: str, region: str, alias: str) -> bool:
        """Does the account already have an instance with this alias in the Region?"""
        return (
            self.one(
                "SELECT 1 FROM instances WHERE account = ? AND region = ? AND alias = ?",
                account,
                region,
                alias,
            )
            is not None
        )

    def insert_instance(self, record: Instance) -> None:
        """Add an instance."""
        data = {
            "IdentityManagementType": record.identity,
            "InboundCallsEnabled": record.inbound,
            "OutboundCallsEnabled": record.outbound,
        }
        self.run(
            "INSERT INTO instances(id, arn, account, region, alias, created, data) "
            "VALUES(?, ?, ?, ?, ?, ?, ?)",
            record.id,
            record.arn,
            record.account,
            record.region,
            record.alias,
            record.created,
            json.dumps(data),
        )

    def delete_instance(self, record: Instance) -> None:
        """Remove an instance with its catalog resources and tags (not its flows)."""
        for res in self.all("SELECT arn FROM resources WHERE instance_id = ?", record.id):
            self.set_tags(res["arn"], {})
        self.run("DELETE FROM resources WHERE instance_id = ?", record.id)
        self.set_tags(record.arn, {})
        self.run("DELETE FROM instances WHERE id = ?", record.id)

    # --- catalog resources ---------------------------------------------------------------

    def resource(self, arn: str) -> Resource | None:
        """The catalog resource with this ARN."""
        row = self.one("SELECT * FROM resources WHERE arn = ?", arn)
        return Resource.of(row) if row else None

    def resources(self, instance_id: str, kind: str) -> list[Resource]:
        """The resources of one kind of an instance, in creation order."""
        rows = self.all(
            "SELECT * FROM resources WHERE instance_id = ? AND kind = ? ORDER BY seq",
            instance_id,
            kind,
        )
        return [Resource.of(r) for r in rows]

    def resource_by_id(self, instance_id: str, kind: str, rid: str) -> Resource | None:
        """A resource of an instance by kind and id."""
        row = self.one(
            "SELECT * FROM resources WHERE instance_id = ? AND kind = ? AND id = ?",
            instance_id,
            kind,
            rid,
        )
        return Resource.of(row) if row else None

    def resource_named(self, instance_id: str, kind: str, name: str) -> bool:
        """Is there a resource of this kind and name in the instance?"""
        return (
            self.one(
                "SELECT 1 FROM resources WHERE instance_id = ? AND kind = ? AND name = ?",
                instance_id,
                kind,
                name,
            )
            is not None
        )

    def insert_resource(
        self,
        instance_id: str,
        kind: str,
        rid: str,
        name: str,
        arn: str,
        modified: float,
        data: dict[str, Any],
    ) -> None:
        """Add a resource unless one with this ARN exists."""
        self.run(
            "INSERT OR IGNORE INTO resources(arn, instance_id, kind, id, name, modified, data) "
            "VALUES(?, ?, ?, ?, ?, ?, ?)",
            arn,
            instance_id,
            kind,
            rid,
            name,
            modified,
            json.dumps(data),
        )

    def update_resource_data(self, arn: str, data: dict[str, Any], modified: float) -> None:
        """Replace a resource's data."""
        self.run(
            "UPDATE resources SET data = ?, modified = ? WHERE arn = ?",
            json.dumps(data),
            modified,
            arn,
        )

    def rename_resource(self, arn: str, name: str, modified: float) -> None:
        """Give a resource a new name."""
        self.run("UPDATE resources SET name = ?, modified = ? WHERE arn = ?", name, modified, arn)

    def delete_resource(self, arn: str) -> None:
        """Remove one resource (its tags are the caller's to clear)."""
        self.run("DELETE FROM resources WHERE arn = ?", arn)

    def delete_resources_named(self, instance_id: str, kind: str, name: str, keep: str) -> None:
        """Remove same-named resources of a kind other than ``keep`` (seed repairs)."""
        self.run(
            "DELETE FROM resources WHERE instance_id = ? AND kind = ? AND name = ? AND arn != ?",
            instance_id,
            kind,
            name,
            keep,
        )

    def account_resources(self, account: str, region: str, kind: str) -> list[Resource]:
        """Resources of a kind across every instance of an account and Region."""
        rows = self.all(
            "SELECT r.* FROM resources r JOIN instances i ON r.instance_id = i.id "
            "WHERE r.kind = ? AND i.account = ? AND i.region = ? ORDER BY r.seq",
            kind,
            account,
            region,
        )
        return [Resource.of(r) for r in rows]

    # --- tags ----------------------------------------------------------------------------

    def tags(self, arn: str) -> dict[str, str]:
        """The tags of a resource."""
        row = self.one("SELECT tags FROM tags WHERE arn = ?", arn)
        return dict(json.loads(row["tags"])) if row else {}

    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        """Replace the tags of a resource."""
        if tags:
            self.run(
                "INSERT INTO tags(arn, tags) VALUES(?, ?) "
                "ON CONFLICT(arn) DO UPDATE SET tags = excluded.tags",
                arn,
                json.dumps(tags, sort_keys=True),
            )
        else:
            self.run("DELETE FROM tags WHERE arn = ?", arn)

    def taggable(self, arn: str) -> bool:
        """Is ``arn`` an instance, flow, module or catalog resource in the store?"""
        return any(
            self.one(f"SELECT 1 FROM {table} WHERE arn = ?", arn)
            for table in ("flows", "resources", "instances")
        )

    # --- Lex V2 --------------------------------------------------------------------------

    def insert_lex_bot(self, account: str, region: str, bot: LexBot) -> None:
        """Add a bot unless it exists."""
        self.run(
            "INSERT OR IGNORE INTO lex_bots(account, region, id, name, created) "
            "VALUES(?, ?, ?, ?, ?)",
            account,
            region,
            bot.id,
            bot.name,
            bot.created,
        )

    def insert_lex_alias(self, account: str, region: str, alias: LexAlias) -> None:
        """Add a bot alias unless it exists."""
        self.run(
            "INSERT OR IGNORE INTO lex_aliases(account, region, bot_id, id, name, version, "
            "created) VALUES(?, ?, ?, ?, ?, ?, ?)",
            account,
            region,
            alias.bot_id,
            alias.id,
            alias.name,
            alias.version,
            alias.created,
        )

    def lex_bot(self, account: str, region: str, bot_id: str) -> LexBot | None:
        """A bot of the account and Region."""
        row = self.one(
            "SELECT id, name, created FROM lex_bots WHERE account = ? AND region = ? AND id = ?",
            account,
            region,
            bot_id,
        )
        return LexBot(row["id"], row["name"], row["created"]) if row else None

    def lex_alias(self, account: str, region: str, bot_id: str, alias_id: str) -> LexAlias | None:
        """A bot alias of the account and Region."""
        row = self.one(
            "SELECT bot_id, id, name, version, created FROM lex_aliases "
            "WHERE account = ? AND region = ? AND bot_id = ? AND id = ?",
            account,
            region,
            bot_id,
            alias_id,
        )
        if row is None:
            return None
        return LexAlias(row["bot_id"], row["id"], row["name"], row["version"], row["created"])
