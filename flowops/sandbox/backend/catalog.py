"""The catalog: queues, prompts, hours, quick connects, users, Lambda functions, Lex bots and
phone numbers (with their flow associations)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flowops.sandbox.backend.common import (
    FLOW,
    Family,
    Output,
    Params,
    duplicate,
    now,
    paged,
    split_qualified,
    with_token,
)
from flowops.sandbox.backend.shapes import resource_summary
from flowops.sandbox.lambdas import associated_lambda
from flowops.sandbox.protocol import Caller, invalid_param, not_found
from flowops.sandbox.store import Instance, Resource

#: Catalog kinds and the path segment of their ARN under the instance.
CATALOG_SEGMENTS = {
    "queue": "queue",
    "prompt": "prompt",
    "hours": "operating-hours",
    "quick_connect": "transfer-destination",
    "user": "agent",
}


class Catalog(Family):
    """Catalog resources of an instance: listed, created, associated."""

    def add(
        self,
        instance: Instance,
        kind: str,
        name: str,
        *,
        rid: str | None = None,
        arn: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> str:
        """Insert a catalog resource if missing (used by the seed); returns its ARN."""
        rid = rid or str(uuid.uuid4())
        if arn is None:
            arn = f"{instance.arn}/{CATALOG_SEGMENTS[kind]}/{rid}"
        self.store.insert_resource(instance.id, kind, rid, name, arn, now(), data or {})
        return arn

    def _resources(self, caller: Caller, p: Params, kind: str) -> list[Resource]:
        return self.store.resources(self.instance(caller, p["InstanceId"]).id, kind)

    def _summaries(
        self,
        caller: Caller,
        p: Params,
        kind: str,
        operation: str,
        key: str,
        extra: Callable[[Resource], dict[str, Any]] | None = None,
        keep: Callable[[Resource], bool] | None = None,
    ) -> Output:
        records = self._resources(caller, p, kind)
        if keep is not None:
            records = [r for r in records if keep(r)]
        items, token = paged(records, p, operation)
        out = [resource_summary(r, caller.region) | (extra(r) if extra else {}) for r in items]
        return with_token({key: out}, token)

    def _typed(
        self, caller: Caller, p: Params, kind: str, operation: str, field: str, default: str
    ) -> Output:
        """Summaries of a kind with a type (``QueueType``...), filtered by ``<field>s``."""
        wanted = p.get(f"{field}s")

        def of(r: Resource) -> str:
            return str(r.data.get(field, default))

        return self._summaries(
            caller,
            p,
            kind,
            operation,
            f"{operation[4:-1]}SummaryList",
            extra=lambda r: {field: of(r)},
            keep=(lambda r: of(r) in wanted) if wanted else None,
        )

    def ListQueues(self, caller: Caller, p: Params) -> Output:
        return self._typed(caller, p, "queue", "ListQueues", "QueueType", "STANDARD")

    def ListPrompts(self, caller: Caller, p: Params) -> Output:
        return self._summaries(caller, p, "prompt", "ListPrompts", "PromptSummaryList")

    def ListHoursOfOperations(self, caller: Caller, p: Params) -> Output:
        return self._summaries(
            caller, p, "hours", "ListHoursOfOperations", "HoursOfOperationSummaryList"
        )

    def ListQuickConnects(self, caller: Caller, p: Params) -> Output:
        return self._typed(
            caller, p, "quick_connect", "ListQuickConnects", "QuickConnectType", "QUEUE"
        )

    def ListUsers(self, caller: Caller, p: Params) -> Output:
        items, token = paged(self._resources(caller, p, "user"), p, "ListUsers")
        out = []
        for r in items:
            summary = resource_summary(r, caller.region)
            summary["Username"] = summary.pop("Name")
            out.append(summary)
        return with_token({"UserSummaryList": out}, token)

    def ListLambdaFunctions(self, caller: Caller, p: Params) -> Output:
        items, token = paged(self._resources(caller, p, "lambda"), p, "ListLambdaFunctions")
        return with_token({"LambdaFunctions": [r.arn for r in items]}, token)

    def AssociateLambdaFunction(self, caller: Caller, p: Params) -> Output:
        instance = self.instance(caller, p["InstanceId"])
        found = associated_lambda(p["FunctionArn"])
        if found is None:
            raise invalid_param(f"Invalid Lambda function ARN {p['FunctionArn']!r}")
        name, arn = found
        self.add(instance, "lambda", name, rid=name, arn=arn)
        return {}

    def ListBots(self, caller: Caller, p: Params) -> Output:
        version = p["LexVersion"]
        records = self._resources(caller, p, "lex_v2" if version == "V2" else "lex_v1")
        items, token = paged(records, p, "ListBots")
        if version == "V2":
            out = [{"LexV2Bot": {"AliasArn": r.arn}} for r in items]
        else:
            out = [{"LexBot": {"Name": r.name, "LexRegion": r.data["LexRegion"]}} for r in items]
        return with_token({"LexBots": out}, token)

    def ListLexBots(self, caller: Caller, p: Params) -> Output:
        items, token = paged(self._resources(caller, p, "lex_v1"), p, "ListLexBots")
        out = [{"Name": r.name, "LexRegion": r.data["LexRegion"]} for r in items]
        return with_token({"LexBots": out}, token)

    def AssociateBot(self, caller: Caller, p: Params) -> Output:
        instance = self.instance(caller, p["InstanceId"])
        if p.get("LexV2Bot"):
            alias_arn = p["LexV2Bot"]["AliasArn"]
            name = alias_arn.split("/")[1] if "/" in alias_arn else alias_arn
            self.add(instance, "lex_v2", name, rid=alias_arn, arn=alias_arn)
        elif p.get("LexBot"):
            bot = p["LexBot"]
            self.add(
                instance,
                "lex_v1",
                bot["Name"],
                rid=bot["Name"],
                arn=f"lex-v1:{instance.id}:{bot['LexRegion']}:{bot['Name']}",
                data={"LexRegion": bot["LexRegion"]},
            )
        else:
            raise invalid_param("LexBot or LexV2Bot is required")
        return {}

    def _create(
        self, caller: Caller, p: Params, kind: str, data: dict[str, Any]
    ) -> tuple[str, str]:
        instance = self.instance(caller, p["InstanceId"])
        name = p["Name"]
        if self.store.resource_named(instance.id, kind, name):
            raise duplicate(f"{kind} {name!r}")
        rid = str(uuid.uuid4())
        arn = self.add(instance, kind, name, rid=rid, data=data)
        if p.get("Tags"):
            self.set_tags(arn, dict(p["Tags"]))
        return rid, arn

    def CreateQueue(self, caller: Caller, p: Params) -> Output:
        instance = self.instance(caller, p["InstanceId"])
        hours = p["HoursOfOperationId"].rsplit("/", 1)[-1]
        if self.store.resource_by_id(instance.id, "hours", hours) is None:
            raise not_found(f"Hours of operation {p['HoursOfOperationId']}")
        rid, arn = self._create(caller, p, "queue", {"QueueType": "STANDARD"})
        return {"QueueArn": arn, "QueueId": rid}

    def CreatePrompt(self, caller: Caller, p: Params) -> Output:
        rid, arn = self._create(caller, p, "prompt", {"S3Uri": p["S3Uri"]})
        return {"PromptARN": arn, "PromptId": rid}

    def CreateHoursOfOperation(self, caller: Caller, p: Params) -> Output:
        data = {"TimeZone": p["TimeZone"], "Config": p["Config"]}
        rid, arn = self._create(caller, p, "hours", data)
        return {"HoursOfOperationId": rid, "HoursOfOperationArn": arn}

    def CreateQuickConnect(self, caller: Caller, p: Params) -> Output:
        qtype = p["QuickConnectConfig"]["QuickConnectType"]
        rid, arn = self._create(caller, p, "quick_connect", {"QuickConnectType": qtype})
        return {"QuickConnectARN": arn, "QuickConnectId": rid}

    # --- phone numbers -------------------------------------------------------------------

    def _phone_number(self, caller: Caller, p: Params) -> Resource:
        """The caller's phone number in the request's instance."""
        instance = self.instance(caller, p["InstanceId"])
        pid = p["PhoneNumberId"].rsplit("phone-number/", 1)[-1]
        numbers = self.store.account_resources(caller.account, caller.region, "phone_number")
        for number in numbers:
            if number.id == pid and number.instance_id == instance.id:
                return number
        raise not_found(f"Phone number {p['PhoneNumberId']} in instance {instance.id}")

    def ListPhoneNumbersV2(self, caller: Caller, p: Params) -> Output:
        instance_filter: str | None = None
        if p.get("InstanceId"):
            instance_filter = self.instance(caller, p["InstanceId"]).id
        elif p.get("TargetArn"):
            instance_filter = self.instance(caller, p["TargetArn"]).id
        countries = p.get("PhoneNumberCountryCodes")
        types = p.get("PhoneNumberTypes")
        prefix = str(p.get("PhoneNumberPrefix") or "").lstrip("+")
        records = [
            r
            for r in self.store.account_resources(caller.account, caller.region, "phone_number")
            if (not instance_filter or r.instance_id == instance_filter)
            and (not countries or r.data["CountryCode"] in countries)
            and (not types or r.data["Type"] in types)
            and r.name.lstrip("+").startswith(prefix)
        ]
        items, token = paged(records, p, "ListPhoneNumbersV2")
        out = [
            {
                "PhoneNumberId": r.id,
                "PhoneNumberArn": r.arn,
                "PhoneNumber": r.name,
                "PhoneNumberCountryCode": r.data["CountryCode"],
                "PhoneNumberType": r.data["Type"],
                "TargetArn": self.instance(caller, r.instance_id).arn,
                "InstanceId": r.instance_id,
                "PhoneNumberDescription": r.data.get("Description", ""),
            }
            for r in items
        ]
        return with_token({"ListPhoneNumbersSummaryList": out}, token)

    def AssociatePhoneNumberContactFlow(self, caller: Caller, p: Params) -> Output:
        number = self._phone_number(caller, p)
        ident, qualifier = split_qualified(p["ContactFlowId"], FLOW.segment)
        if qualifier is not None:
            raise invalid_param("ContactFlowId must not be qualified here")
        flow = self.store.flow(number.instance_id, FLOW.kind, ident)
        if flow is None:
            raise not_found(f"{FLOW.title} {p['ContactFlowId']}")
        data = number.data | {"ContactFlowArn": flow.arn}
        self.store.update_resource_data(number.arn, data, now())
        return {}

    def DisassociatePhoneNumberContactFlow(self, caller: Caller, p: Params) -> Output:
        number = self._phone_number(caller, p)
        data = {k: v for k, v in number.data.items() if k != "ContactFlowArn"}
        self.store.update_resource_data(number.arn, data, now())
        return {}

    def ListFlowAssociations(self, caller: Caller, p: Params) -> Output:
        rtype = p.get("ResourceType", "VOICE_PHONE_NUMBER")
        records = (
            [] if rtype != "VOICE_PHONE_NUMBER" else self._resources(caller, p, "phone_number")
        )
        linked = [(r, r.data["ContactFlowArn"]) for r in records if r.data.get("ContactFlowArn")]
        items, token = paged(linked, p, "ListFlowAssociations")
        out = [
            {"ResourceId": r.arn, "FlowId": flow, "ResourceType": "VOICE_PHONE_NUMBER"}
            for r, flow in items
        ]
        return with_token({"FlowAssociationSummaryList": out}, token)
