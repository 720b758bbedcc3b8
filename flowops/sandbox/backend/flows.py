"""Flows and flow modules: one implementation for both, the wire differences in
:class:`~flowops.sandbox.backend.common.Kind` (the operations are generated per kind in
:mod:`flowops.sandbox.backend.operations`)."""

from __future__ import annotations

import uuid

from flowops.model.document import FLOW_TYPES
from flowops.sandbox.backend.common import (
    FLOW,
    MODULE,
    MODULE_TYPE,
    Family,
    Kind,
    Output,
    Params,
    duplicate,
    now,
    paged,
    sha256,
    split_qualified,
    with_token,
)
from flowops.sandbox.backend.search import matches_criteria, matches_filter
from flowops.sandbox.backend.shapes import flow_out, flow_summary
from flowops.sandbox.protocol import Caller, SandboxError, invalid_param, not_found
from flowops.sandbox.store import Flow, Instance, Version
from flowops.sandbox.validation import Context, validate_content

#: ProblemDetail.message's maximum length in the model.
MAX_PROBLEM = 256


class Flows(Family):
    """Create, describe, update, delete, list and search flows and modules."""

    # --- shared with versions and aliases ----------------------------------------------

    def flow(
        self, caller: Caller, instance: Instance, kind: Kind, identifier: str
    ) -> tuple[Flow, str | None]:
        """The flow (or module) an id or ARN names, and its qualifier."""
        ident, qualifier = split_qualified(identifier, kind.segment)
        record = self.store.flow(instance.id, kind.kind, ident)
        if record is None:
            raise not_found(f"{kind.title} {identifier}")
        self.lag.check_visible(record.arn, f"{kind.title} {identifier}")
        return record, qualifier

    def target(self, caller: Caller, p: Params, kind: Kind) -> tuple[Instance, Flow, str | None]:
        """Instance, flow and qualifier named by a request's InstanceId and flow id."""
        instance = self.instance(caller, p["InstanceId"])
        flow, qualifier = self.flow(caller, instance, kind, p[kind.id_param])
        return instance, flow, qualifier

    def validation_context(self, caller: Caller, instance_id: str) -> Context:
        """What validation needs to know about the instance content is published to."""

        def exists(arn: str) -> bool:
            if self.store.flow_by_arn(arn) is not None:
                return True
            resource = self.store.resource(arn)
            return resource is not None and resource.instance_id == instance_id

        return Context(caller.account, caller.region, instance_id, exists)

    def check_content(
        self,
        caller: Caller,
        instance: Instance,
        kind: Kind,
        content: str,
        *,
        publish: bool,
        flow_type: str,
    ) -> None:
        """Enforce the content length limit and, when publishing, validate."""
        limit = self.config.limits.content_chars
        if len(content) > limit:
            raise invalid_param(f"Content is longer than {limit} characters ({len(content)})")
        if not publish:
            return
        ctx = self.validation_context(caller, instance.id)
        problems = validate_content(content, ctx, flow_type)
        if not problems:
            return
        if kind is FLOW and self.config.strict.opaque_invalid_flow:
            raise SandboxError(kind.invalid_code, "None")
        raise SandboxError(
            kind.invalid_code,
            f"{kind.title} content is invalid: {len(problems)} problem(s)",
            **{kind.problems_key: [{"message": m[:MAX_PROBLEM]} for m in problems]},
        )

    def insert(
        self,
        caller: Caller,
        instance: Instance,
        kind: Kind,
        fid: str,
        *,
        name: str,
        ftype: str,
        description: str,
        content: str,
        published: bool,
        settings: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> Flow:
        """Insert a flow or module (no checks; used by create and the seed)."""
        record = self.store.insert_flow(
            Flow(
                seq=0,
                arn=f"{instance.arn}/{kind.segment}/{fid}",
                instance_id=instance.id,
                kind=kind.kind,
                id=fid,
                name=name,
                type=ftype,
                description=description or "",
                state="ACTIVE",
                published=content if published else None,
                saved=None if published else content,
                settings=settings,
                next_version=1,
                modified=now(),
                region=caller.region,
            )
        )
        if tags:
            self.set_tags(record.arn, dict(tags))
        self.lag.created(record.arn)
        self.lag.flow_written(record.arn, None, record)
        return record

    def _written(self, before: Flow) -> None:
        self.lag.flow_written(before.arn, before, self.store.flow_by_arn(before.arn))

    # --- operations (per kind) ---------------------------------------------------------

    def create(self, caller: Caller, p: Params, kind: Kind) -> Output:
        instance = self.instance(caller, p["InstanceId"])
        name = p["Name"]
        ftype = p.get("Type", MODULE_TYPE) if kind is FLOW else MODULE_TYPE
        if kind is FLOW and ftype not in FLOW_TYPES:
            raise invalid_param(f"Invalid contact flow Type {ftype!r}")
        status = p.get("Status", "PUBLISHED")
        if self.store.flow_name_taken(instance.id, kind.kind, name):
            raise duplicate(f"{kind.title} {name!r}")
        limits = self.config.limits
        limit = limits.flows_per_instance if kind is FLOW else limits.modules_per_instance
        if self.store.count_flows(instance.id, kind.kind) >= limit:
            noun = "flows" if kind is FLOW else "flow modules"
            raise SandboxError(
                "LimitExceededException", f"The instance has reached its limit of {limit} {noun}"
            )
        content = p["Content"]
        self.check_content(
            caller, instance, kind, content, publish=status == "PUBLISHED", flow_type=ftype
        )
        record = self.insert(
            caller,
            instance,
            kind,
            str(uuid.uuid4()),
            name=name,
            ftype=ftype,
            description=p.get("Description", ""),
            content=content,
            published=status == "PUBLISHED",
            settings=p.get("Settings"),
            tags=p.get("Tags") or {},
        )
        if kind is MODULE:
            return {"Id": record.id, "Arn": record.arn}
        return {
            "ContactFlowId": record.id,
            "ContactFlowArn": record.arn,
            "FlowContentSha256": sha256(record.current[0]),
        }

    def describe(self, caller: Caller, p: Params, kind: Kind) -> Output:
        _, flow, qualifier = self.target(caller, p, kind)
        tags = self.tags(flow.arn)
        if qualifier is None or (qualifier == "$SAVED" and flow.saved is None):
            content, status = flow.current
            out = flow_out(flow, kind, content=content, status=status, tags=tags)
        elif qualifier == "$SAVED":
            out = flow_out(flow, kind, content=flow.saved or "", status="SAVED", tags=tags)
        elif qualifier == "$LATEST":
            if flow.published is None:
                raise SandboxError(
                    "ContactFlowNotPublishedException", f"{kind.title} {flow.id} is not published"
                )
            out = flow_out(flow, kind, content=flow.published, status="PUBLISHED", tags=tags)
        else:
            version = self.version_for(flow, kind, qualifier)
            out = flow_out(
                flow, kind, content=version.content, status="PUBLISHED", tags=tags, version=version
            )
        return {kind.noun: out}

    def version_for(self, flow: Flow, kind: Kind, qualifier: str) -> Version:
        """The version a ``:<number>`` or ``:<alias name>`` qualifier names."""
        if qualifier.isdigit():
            number = int(qualifier)
        else:
            alias = self.store.alias(flow.arn, qualifier)
            if alias is None or alias.name != qualifier:
                raise not_found(f"{kind.title} {flow.id}:{qualifier}")
            number = alias.version
        version = self.store.version(flow.arn, number)
        if version is None:
            raise not_found(f"{kind.title} {flow.id} version {number}")
        return version

    def update_content(self, caller: Caller, p: Params, kind: Kind) -> Output:
        instance, flow, qualifier = self.target(caller, p, kind)
        if qualifier not in (None, "$SAVED"):
            raise invalid_param(f"Only $SAVED may qualify {kind.id_param} here, not {qualifier!r}")
        content = p.get("Content")
        if content is None:
            content = flow.current[0]
        publish = qualifier is None
        self.check_content(caller, instance, kind, content, publish=publish, flow_type=flow.type)
        self.store.write_content(
            flow.arn,
            content=content,
            publish=publish,
            settings=p.get("Settings", flow.settings),
            modified=now(),
            region=caller.region,
        )
        self._written(flow)
        return {}

    def update_metadata(self, caller: Caller, p: Params, kind: Kind) -> Output:
        instance, flow, _ = self.target(caller, p, kind)
        name = p.get("Name")
        if name is not None and name != flow.name:
            if self.store.flow_name_taken(instance.id, kind.kind, name):
                raise duplicate(f"{kind.title} {name!r}")
        self.store.write_metadata(
            flow.arn,
            name=flow.name if name is None else name,
            description=p.get("Description", flow.description),
            state=p.get(kind.state_param, flow.state),
            modified=now(),
            region=caller.region,
        )
        self._written(flow)
        return {}

    def delete(self, caller: Caller, p: Params, kind: Kind) -> Output:
        _, flow, qualifier = self.target(caller, p, kind)
        if qualifier is not None:
            raise invalid_param(f"{kind.id_param} must not be qualified here")
        self.lag.tags_written(flow.arn, self.store.tags(flow.arn), {})
        self.store.delete_flow(flow.arn)
        self.lag.flow_written(flow.arn, flow, None)
        return {}

    def list(self, caller: Caller, p: Params, kind: Kind) -> Output:
        instance = self.instance(caller, p["InstanceId"])
        records = self.lag.list_view(
            instance.id, kind.kind, self.store.flows(instance.id, kind.kind)
        )
        types = p.get("ContactFlowTypes")
        if kind is FLOW and types:
            records = [r for r in records if r.type in types]
        state = p.get("ContactFlowModuleState")
        if kind is MODULE and state:
            records = [r for r in records if r.state == state]
        items, token = paged(records, p, f"List{kind.noun}s")
        return with_token({kind.summary_list: [flow_summary(r, kind) for r in items]}, token)

    def search(self, caller: Caller, p: Params, kind: Kind) -> Output:
        instance = self.instance(caller, p["InstanceId"])
        live = self.store.flows(instance.id, kind.kind)
        view = self.lag.search_view(instance.id, kind.kind, live, self.store.tags)
        criteria = p.get("SearchCriteria")
        search_filter = p.get("SearchFilter")
        hits = [
            (flow, tags)
            for flow, tags in view
            if matches_criteria(flow, criteria) and matches_filter(flow, tags, search_filter)
        ]
        items, token = paged(hits, p, f"Search{kind.noun}s")
        out = []
        for flow, tags in items:
            content, status = flow.current
            item = flow_out(flow, kind, content=content, status=status, tags=tags)
            if self.config.omits_content(flow.name, flow.id):
                del item["Content"], item[kind.sha_key]
            out.append(item)
        return with_token({f"{kind.noun}s": out, "ApproximateTotalCount": len(hits)}, token)

    def UpdateContactFlowName(self, caller: Caller, p: Params) -> Output:
        return self.update_metadata(caller, p, FLOW)
