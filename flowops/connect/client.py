"""One Amazon Connect client per environment: paced, retried, paginated, counted.

Every AWS call flowops makes goes through :meth:`ConnectClient._call`, one method per
Connect operation family, so pacing, retries, error translation and call counting hold
everywhere. ``calls`` counts logical calls (one per page); ``attempts`` counts HTTP
requests, retries included, which is what a sandbox request log shows.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property, partial
from typing import Any, Literal

from botocore import xform_name
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from flowops.config import Environment
from flowops.connect.catalog import (
    Catalog,
    CatalogEntry,
    FlowKind,
    FlowVersion,
    RemoteFlow,
    lambda_name,
    lex_v2_ids,
    strip_qualifier,
)
from flowops.connect.constraints import violations
from flowops.connect.errors import (
    AccessDeniedError,
    ConditionFailedError,
    ConnectError,
    ConnectionFailedError,
    CredentialsError,
    InvalidRequestError,
    ModelViolationError,
    NotFoundError,
    from_client_error,
    is_retryable,
)
from flowops.connect.pacing import Clock, Pacer, Sleep, shared_pacer
from flowops.connect.session import (
    ClientSettings,
    make_connect_client,
    make_service_client,
    make_session,
    resolve_endpoint,
    user_agent,
)
from flowops.errors import BadInputError

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_client_ids = itertools.count(1)
_client_ids_lock = threading.Lock()


#: Tries before an endpoint that accepts no connection is reported unreachable.
UNREACHABLE_ATTEMPTS = 3

#: Seconds after this client created a resource during which a ResourceNotFoundException
#: about it is taken for Connect's eventual consistency and retried (bounded by
#: ``ClientSettings.not_found_attempts``); later, NotFound means what it says.
FRESH_SECONDS = 120.0


@dataclass(frozen=True)
class _Family:
    """The operation names and members of one flow family (flows or modules)."""

    kind: FlowKind
    id_param: str
    create: str
    describe: str
    search: str
    search_key: str
    list: str
    list_key: str
    update_content: str
    update_metadata: str
    state_param: str
    create_version: str
    sha_param: str
    list_versions: str
    versions_key: str
    create_alias: str
    update_alias: str
    list_aliases: str
    aliases_key: str
    version_param: str
    delete: str
    single_key: str
    arn_segment: str


FAMILIES: dict[str, _Family] = {
    "flow": _Family(
        kind="flow",
        id_param="ContactFlowId",
        create="CreateContactFlow",
        describe="DescribeContactFlow",
        search="SearchContactFlows",
        search_key="ContactFlows",
        list="ListContactFlows",
        list_key="ContactFlowSummaryList",
        update_content="UpdateContactFlowContent",
        update_metadata="UpdateContactFlowMetadata",
        state_param="ContactFlowState",
        create_version="CreateContactFlowVersion",
        sha_param="FlowContentSha256",
        list_versions="ListContactFlowVersions",
        versions_key="ContactFlowVersionSummaryList",
        create_alias="CreateContactFlowAlias",
        update_alias="UpdateContactFlowAlias",
        list_aliases="ListContactFlowAliases",
        aliases_key="ContactFlowAliasSummaryList",
        version_param="ContactFlowVersion",
        delete="DeleteContactFlow",
        single_key="ContactFlow",
        arn_segment="contact-flow",
    ),
    "module": _Family(
        kind="module",
        id_param="ContactFlowModuleId",
        create="CreateContactFlowModule",
        describe="DescribeContactFlowModule",
        search="SearchContactFlowModules",
        search_key="ContactFlowModules",
        list="ListContactFlowModules",
        list_key="ContactFlowModulesSummaryList",
        update_content="UpdateContactFlowModuleContent",
        update_metadata="UpdateContactFlowModuleMetadata",
        state_param="State",
        create_version="CreateContactFlowModuleVersion",
        sha_param="FlowModuleContentSha256",
        list_versions="ListContactFlowModuleVersions",
        versions_key="ContactFlowModuleVersionSummaryList",
        create_alias="CreateContactFlowModuleAlias",
        update_alias="UpdateContactFlowModuleAlias",
        list_aliases="ListContactFlowModuleAliases",
        aliases_key="ContactFlowModuleAliasSummaryList",
        version_param="ContactFlowModuleVersion",
        delete="DeleteContactFlowModule",
        single_key="ContactFlowModule",
        arn_segment="flow-module",
    ),
}

#: Catalog kinds that may legitimately be unavailable (no permission, not in the sandbox);
#: their absence is a warning, not a failure.
_OPTIONAL_KINDS = frozenset({"phonenumber", "agent", "lexbot_v1"})

#: Codes that mean "this operation is not available here" (so use the fallback path).
_UNAVAILABLE_CODES = frozenset({"UnknownOperationException", "UnsupportedOperationException"})


def _family(kind: str) -> _Family:
    try:
        return FAMILIES[kind]
    except KeyError:
        raise ValueError(f"kind must be 'flow' or 'module', not {kind!r}") from None


def bare_id(flow_id: str) -> str:
    """A flow/module id from an id or ARN (a ``:qualifier`` is kept)."""
    return flow_id.rsplit("/", 1)[-1] if flow_id.startswith("arn:") else flow_id


def _blank(text: str | None) -> bool:
    """Empty or whitespace only: what Connect's ``.*\\S.*`` description pattern refuses."""
    return text is None or not text.strip()


def partition_for(region: str) -> str:
    """The AWS partition of ``region``, for building ARNs."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def with_module_settings(content: Any, settings: Any) -> Any:
    """A module's Content with its ``Settings`` member folded in, as flowops keeps it.

    Connect keeps a module's inputs, outputs and branches in ``Settings``, a member of its
    own beside ``Content``; flowops keeps them in the content (``content.Settings``, as
    documents always had them), so export, diff, plan, restore and rollback see them.
    Content that already holds the same Settings is returned unchanged (byte for byte).
    """
    if not isinstance(content, str) or not isinstance(settings, str) or not settings:
        return content
    try:
        data = json.loads(content)
        parsed = json.loads(settings)
    except ValueError:
        return content
    if not isinstance(data, dict) or data.get("Settings") == parsed:
        return content
    return json.dumps({**data, "Settings": parsed}, ensure_ascii=False)


def split_module_settings(content: str) -> dict[str, str]:
    """The ``Settings`` member to send with a module's content (empty when it has none)."""
    try:
        data = json.loads(content)
    except ValueError:
        return {}
    if isinstance(data, dict) and isinstance(data.get("Settings"), dict):
        return {"Settings": json.dumps(data["Settings"], separators=(",", ":"))}
    return {}


def remote_flow(kind: FlowKind, item: Mapping[str, Any]) -> RemoteFlow:
    """A RemoteFlow from a Search/Describe item (ContactFlow or ContactFlowModule shape)."""
    content = item.get("Content")
    if kind == "module":
        content = with_module_settings(content, item.get("Settings"))
    return RemoteFlow(
        kind=kind,
        id=str(item["Id"]),
        arn=strip_qualifier(str(item["Arn"])),
        name=str(item["Name"]),
        type=str(item.get("Type") or "CONTACT_FLOW") if kind == "flow" else "MODULE",
        description=str(item.get("Description") or ""),
        state=str(item.get("State") or item.get("ContactFlowState") or "ACTIVE"),
        status=str(item.get("Status") or item.get("ContactFlowStatus") or "PUBLISHED"),
        tags=dict(item.get("Tags") or {}),
        content=content,
        sha256=item.get("FlowContentSha256") or item.get("FlowModuleContentSha256"),
        version=item.get("Version"),
    )


def _unavailable(error: ConnectError) -> bool:
    """Is this the answer of an operation that IAM denies or the endpoint lacks?"""
    if isinstance(error, AccessDeniedError) or error.code in _UNAVAILABLE_CODES:
        return True
    if error.status == 404 and error.code != "ResourceNotFoundException":
        return True
    return isinstance(error, InvalidRequestError) and "not support" in error.message


class ConnectClient:
    """Amazon Connect for one environment. The only code in flowops that talks to AWS."""

    def __init__(
        self,
        env: Environment,
        boto_client: Any,
        *,
        pacer: Pacer,
        settings: ClientSettings | None = None,
        sleep: Sleep = time.sleep,
        rng: random.Random | None = None,
        client_id: str = "",
        lex_client: Callable[[str], Any] | None = None,
        clock: Clock = time.monotonic,
        service_client: Callable[[str, str], Any] | None = None,
    ) -> None:
        self.env = env
        self.account_id = env.account_id
        self.region = env.region
        self.client_id = client_id
        self.settings = settings or ClientSettings()
        self.calls: Counter[str] = Counter()
        self._metric_cache: dict[str, list[dict[str, Any]]] = {}
        self.attempts: Counter[str] = Counter()
        self.retries: Counter[str] = Counter()
        #: Retries of ResourceNotFoundException about a resource this client had just
        #: created (also counted in ``retries``): what eventual consistency cost.
        self.not_found_retries: Counter[str] = Counter()
        self.warnings: list[str] = []
        #: Decisions that rested on a read that may lag (Search is eventually consistent):
        #: each says what was read and what it may have missed.
        self.lagging_reads: list[str] = []
        #: Searches and lists asked again because Connect had not shown a write yet
        #: (``find_by_name(..., settle=True)``), per operation.
        self.lag_waits: Counter[str] = Counter()
        #: Flows read again by id because a Search or List copy may predate a write
        #: (:meth:`reread`), per operation.
        self.lag_rereads: Counter[str] = Counter()
        #: Called with the operation name before each HTTP request (progress displays).
        self.on_request: Callable[[str], None] | None = None
        self._client = boto_client
        self._pacer = pacer
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._resources: list[CatalogEntry] | None = None
        self._resource_warnings: list[str] = []
        self._flows: dict[str, RemoteFlow] | None = None
        self._flows_with_content = False
        self._catalog: Catalog | None = None
        self._lex_client = lex_client
        self._lex_clients: dict[str, Any] = {}
        self._clock = clock
        self._service_client = service_client
        #: Bare ids of resources this client created, with the clock time of creation.
        self._fresh: dict[str, float] = {}
        boto_client.meta.events.register("before-send.connect", self._before_send)
        if self.settings.check_model:
            boto_client.meta.events.register("before-parameter-build.connect", self._check_model)

    # --- construction ----------------------------------------------------------------

    @classmethod
    def for_environment(
        cls,
        env: Environment,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        settings: ClientSettings | None = None,
    ) -> ConnectClient:
        """The client for ``env``: credentials, endpoint, pacing and retries (no call yet).

        With the real clock, clients of the same account share one pacing budget; an
        injected clock gets a private bucket (tests).
        """
        settings = settings or ClientSettings()
        endpoint = resolve_endpoint(env)
        with _client_ids_lock:
            client_id = f"{env.name}-{next(_client_ids)}"
        session = make_session(env, endpoint)
        boto_client = make_connect_client(session, env, endpoint, settings, user_agent(client_id))
        if clock is time.monotonic and sleep is time.sleep:
            pacer = shared_pacer(env.account_id, env.region, endpoint or "aws", env.rate_limit)
        else:
            pacer = Pacer(env.rate_limit, clock=clock, sleep=sleep)

        def service_client(service: str, region: str) -> Any:
            return make_service_client(
                session, service, region, endpoint, settings, user_agent(client_id)
            )

        def lex_client(region: str) -> Any:
            return service_client("lexv2-models", region)

        return cls(
            env,
            boto_client,
            pacer=pacer,
            settings=settings,
            sleep=sleep,
            client_id=client_id,
            lex_client=lex_client if settings.resolve_lex_names else None,
            clock=clock,
            service_client=service_client,
        )

    @property
    def endpoint_url(self) -> str:
        """Where requests go."""
        return str(self._client.meta.endpoint_url)

    @property
    def user_agent(self) -> str:
        """The user agent suffix this client sends (identifies it in a request log)."""
        return user_agent(self.client_id)

    @property
    def waited_reads(self) -> int:
        """Reads that waited for Connect to catch up with a write: retries of NotFound
        right after a create, and Searches/Lists asked again until a write showed."""
        return sum(self.not_found_retries.values()) + sum(self.lag_waits.values())

    def lag_report(self) -> dict[str, Any]:
        """What eventual consistency cost this client, for summaries and ``--format json``:
        ``waited`` (:attr:`waited_reads`), ``reread`` (flows read again by id), ``notes``
        (decisions that rested on a read that may lag)."""
        return {
            "waited": self.waited_reads,
            "reread": sum(self.lag_rereads.values()),
            "notes": list(dict.fromkeys(self.lagging_reads)),
        }

    @property
    def paced_seconds(self) -> float:
        """Seconds this process's pacer has waited so far."""
        return self._pacer.waited

    # --- the one call path -----------------------------------------------------------

    def _before_send(self, event_name: str = "", **_: Any) -> None:
        """Pace and count every HTTP request, botocore's own retries included."""
        operation = event_name.rsplit(".", 1)[-1]
        self.attempts[operation] += 1
        if self.on_request is not None:
            self.on_request(operation)
        self._pacer.acquire(operation)

    @staticmethod
    def _check_model(params: Mapping[str, Any], model: Any, **_: Any) -> None:
        """Refuse a request that breaks the model's constraints before it is sent."""
        found = violations(model, params)
        if found:
            raise ModelViolationError("ModelViolation", "; ".join(found), operation=str(model.name))

    def _count_lex_attempt(self, event_name: str = "", **_: Any) -> None:
        """Count Lex V2 requests (not paced: Lex has its own quotas, not Connect's)."""
        self.attempts["lexv2:" + event_name.rsplit(".", 1)[-1]] += 1

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.settings.backoff_cap, self.settings.backoff_base * 2 ** (attempt - 1))
        return self._rng.uniform(ceiling / 2, ceiling)

    def _is_fresh(self, resource: str) -> bool:
        """Did this client create ``resource`` (an id or ARN) moments ago?"""
        created = self._fresh.get(strip_qualifier(bare_id(resource))) if resource else None
        return created is not None and self._clock() - created <= FRESH_SECONDS

    def _call(
        self,
        operation: str,
        *,
        _via: Any = None,
        _label: str = "",
        _resource: str = "",
        **params: Any,
    ) -> dict[str, Any]:
        """Call one Connect operation, retrying throttles and 5xx, translating errors.

        ``_via`` sends it through another AWS client (Lex names), counted as ``_label``.
        ``_resource`` names the flow or module the call is about: if this client created it
        moments ago, ResourceNotFoundException is retried (``not_found_attempts`` tries in
        all), since Connect may not show a new resource to every reader at once.
        """
        method = getattr(_via if _via is not None else self._client, xform_name(operation))
        self.calls[_label or operation] += 1
        not_found = 0
        for attempt in itertools.count(1):
            try:
                result: dict[str, Any] = method(**params)
                return result
            except ClientError as exc:
                error = from_client_error(exc, operation)
                if isinstance(error, NotFoundError) and self._is_fresh(_resource):
                    not_found += 1
                    if not_found >= self.settings.not_found_attempts:
                        raise error from None
                    self.not_found_retries[operation] += 1
                elif not is_retryable(error.code, error.status):
                    raise error from None
                elif attempt >= self.settings.max_attempts:
                    raise error from None
            except (BotoConnectionError, HTTPClientError) as exc:
                # Nothing listening (refused, no such host) is rarely cured by waiting:
                # give up after a few quick tries instead of a minute of backoff.
                unreachable = isinstance(exc, EndpointConnectionError)
                limit = UNREACHABLE_ATTEMPTS if unreachable else self.settings.max_attempts
                if attempt >= limit:
                    raise ConnectionFailedError(
                        f"{operation}: cannot reach {self.endpoint_url}: {exc}"
                    ) from None
            except (NoCredentialsError, PartialCredentialsError, NoRegionError) as exc:
                raise CredentialsError(
                    f"environment {self.env.name!r} ({self.env.source}): {exc}"
                ) from None
            self.retries[operation] += 1
            self._sleep(self._backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _max_results(self, operation: str) -> int | None:
        shape = self._client.meta.service_model.operation_model(operation).input_shape
        member = shape.members.get("MaxResults") if shape is not None else None
        if member is None:
            return None
        return int(member.metadata.get("max", 100))

    def _pages(self, operation: str, key: str, **params: Any) -> Iterator[Any]:
        """Every item of a paginated operation, at the largest page size it allows."""
        size = self._max_results(operation)
        if size is not None:
            params.setdefault("MaxResults", size)
        token: str | None = None
        while True:
            page = self._call(operation, **params, **({"NextToken": token} if token else {}))
            yield from page.get(key) or []
            token = page.get("NextToken")
            if not token:
                return

    # --- instance ----------------------------------------------------------------------

    @cached_property
    def _instance(self) -> tuple[str, str]:
        ref = self.env.instance
        partition = partition_for(self.region)
        if ref.startswith("arn:"):
            iid = ref.rsplit("instance/", 1)[-1].split("/", 1)[0]
            return iid, ref
        if _UUID.match(ref):
            return ref, f"arn:{partition}:connect:{self.region}:{self.account_id}:instance/{ref}"
        seen: list[str] = []
        for item in self._pages("ListInstances", "InstanceSummaryList"):
            alias = item.get("InstanceAlias") or ""
            if ref in (alias, item.get("Id")):
                return str(item["Id"]), str(item["Arn"])
            seen.append(alias or str(item.get("Id")))
        raise BadInputError(
            f"{self.env.source}: $.instance: no instance {ref!r} in account {self.account_id} "
            f"({self.region}); found: {', '.join(seen) or 'none'}"
        )

    def describe_instance(self) -> dict[str, Any]:
        """DescribeInstance of this environment's instance (its ``Instance`` member, plus
        ``ResponseMetadata``)."""
        out = self._call("DescribeInstance", InstanceId=self.instance_id)
        return {**dict(out.get("Instance") or {}), "ResponseMetadata": out.get("ResponseMetadata")}

    def caller_identity(self) -> dict[str, Any]:
        """STS GetCallerIdentity with these credentials (Account, Arn, UserId, and the
        ``ResponseMetadata`` whose HTTP ``date`` header tells the server's clock)."""
        return self.probe("GetCallerIdentity", service="sts")

    def probe(self, operation: str, *, service: str = "connect", **params: Any) -> dict[str, Any]:
        """One call of ``operation`` as given, paced, retried and counted like every other
        (``flowops doctor``'s harmless probes). ``service`` another botocore service with
        the same credentials and endpoint (``sts``, ``lexv2-models``), counted as
        ``sts:<Operation>`` / ``lexv2:<Operation>``."""
        if service == "connect":
            return self._call(operation, **params)
        if self._service_client is None:
            raise CredentialsError(f"this client was built without access to {service}")
        via = self._service_client(service, self.region)
        label = f"{'lexv2' if service == 'lexv2-models' else service}:{operation}"
        return self._call(operation, _via=via, _label=label, **params)

    @property
    def instance_id(self) -> str:
        """The instance id (an alias is resolved with one ListInstances call, once)."""
        return self._instance[0]

    @property
    def instance_arn(self) -> str:
        """The instance ARN."""
        return self._instance[1]

    # --- catalog -----------------------------------------------------------------------

    def catalog(self, *, with_content: bool = True) -> Catalog:
        """Everything the instance holds, listed once per client and cached.

        Flows and modules are read in bulk with Search (100 whole flows per call); a result
        without Content is described; where Search is unavailable, List + Describe.
        """
        if self._resources is None:
            self._resources = self._list_resources()
        if self._flows is None or (with_content and not self._flows_with_content):
            flows: dict[str, RemoteFlow] = {}
            for kind in ("flow", "module"):
                for flow in self._read_flows(kind, with_content=with_content):
                    flows.setdefault(flow.key, flow)
            self._flows = flows
            self._flows_with_content = with_content
            self._catalog = None
        if self._catalog is None:
            self._catalog = Catalog(
                self._resources, self._flows, [*self._resource_warnings, *self.warnings]
            )
        return self._catalog

    @property
    def catalog_loaded(self) -> bool:
        """Whether this client has listed the instance's flows already (``catalog()``
        would cost no call for them)."""
        return self._flows is not None

    def refresh_flows(self) -> None:
        """Forget cached flow state so the next ``catalog()`` reads flows again."""
        self._flows = None
        self._flows_with_content = False
        self._catalog = None

    def _read_flows(self, kind: FlowKind, *, with_content: bool) -> list[RemoteFlow]:
        family = _family(kind)
        if not with_content:
            return self.list_flows(kind)
        try:
            items = list(self._pages(family.search, family.search_key, InstanceId=self.instance_id))
        except ConnectError as error:
            if not _unavailable(error):
                raise
            self.warnings.append(
                f"{family.search} unavailable ({error.code}); read {kind}s with "
                f"{family.list} + {family.describe}"
            )
            return [
                self.describe(kind, s["Id"])
                for s in self._pages(family.list, family.list_key, InstanceId=self.instance_id)
            ]
        flows = []
        for item in items:
            flow = remote_flow(kind, item)
            if flow.content is None:
                described = self.describe(kind, flow.id)
                flow = replace(described, tags=flow.tags or described.tags)
            flows.append(flow)
        return flows

    def reread(self, flows: Sequence[tuple[FlowKind, str]]) -> None:
        """Read ``(kind, id)`` flows again by id into the cached catalog (built first if
        needed): a Search or List copy that predates a write is replaced, a flow missing
        from them is added, one that is gone is dropped. Describe by id is what Connect
        shows first after a write; Search and List trail it (eventually consistent)."""
        if not flows:
            return
        self.catalog(with_content=self._flows_with_content)
        assert self._flows is not None
        for kind, flow_id in dict.fromkeys(flows):
            ident = strip_qualifier(bare_id(flow_id))
            self.lag_rereads[_family(kind).describe] += 1
            try:
                fresh: RemoteFlow | None = self.describe(kind, ident)
            except NotFoundError:
                fresh = None
            for key in [k for k, f in self._flows.items() if f.kind == kind and f.id == ident]:
                del self._flows[key]
            if fresh is not None:
                self._flows[fresh.key] = fresh
        self._catalog = None

    def list_flows(self, kind: FlowKind) -> list[RemoteFlow]:
        """Every flow (or module) of the instance from List, without content or tags
        (eventually consistent, like Search: a flow created or renamed in the last seconds
        may show as it was)."""
        family = _family(kind)
        return [
            self._summary_flow(kind, s)
            for s in self._pages(family.list, family.list_key, InstanceId=self.instance_id)
        ]

    @staticmethod
    def _summary_flow(kind: FlowKind, summary: Mapping[str, Any]) -> RemoteFlow:
        return remote_flow(kind, {**summary, "Type": summary.get("ContactFlowType")})

    def _list_resources(self) -> list[CatalogEntry]:
        entries: list[CatalogEntry] = []
        self._resource_warnings = []
        listers: list[tuple[str, Callable[[], list[CatalogEntry]]]] = [
            (
                "queue",
                partial(
                    self._list_named,
                    "ListQueues",
                    "QueueSummaryList",
                    "queue",
                    QueueTypes=["STANDARD"],
                ),
            ),
            ("prompt", partial(self._list_named, "ListPrompts", "PromptSummaryList", "prompt")),
            (
                "hours",
                partial(
                    self._list_named,
                    "ListHoursOfOperations",
                    "HoursOfOperationSummaryList",
                    "hours",
                ),
            ),
            (
                "quickconnect",
                partial(
                    self._list_named, "ListQuickConnects", "QuickConnectSummaryList", "quickconnect"
                ),
            ),
            ("lambda", self._list_lambdas),
            ("lexbot", self._list_lex_v2),
            ("lexbot_v1", self._list_lex_v1),
            ("phonenumber", self._list_phone_numbers),
            ("agent", partial(self._list_named, "ListUsers", "UserSummaryList", "agent")),
        ]
        for kind, lister in listers:
            try:
                entries.extend(lister())
            except ConnectError as error:
                if kind not in _OPTIONAL_KINDS or not _unavailable(error):
                    raise
                self._resource_warnings.append(f"{kind}: not listed ({error})")
        return entries

    def _list_named(self, operation: str, key: str, kind: str, **extra: Any) -> list[CatalogEntry]:
        name_key = "Username" if kind == "agent" else "Name"
        return [
            CatalogEntry(
                kind, str(item.get(name_key) or item["Id"]), str(item["Id"]), str(item["Arn"])
            )
            for item in self._pages(operation, key, InstanceId=self.instance_id, **extra)
        ]

    def _list_lambdas(self) -> list[CatalogEntry]:
        return [
            CatalogEntry("lambda", lambda_name(arn), arn, arn)
            for arn in self._pages(
                "ListLambdaFunctions", "LambdaFunctions", InstanceId=self.instance_id
            )
        ]

    def _list_lex_v2(self) -> list[CatalogEntry]:
        arns = [
            str(item["LexV2Bot"]["AliasArn"])
            for item in self._pages(
                "ListBots", "LexBots", InstanceId=self.instance_id, LexVersion="V2"
            )
            if (item.get("LexV2Bot") or {}).get("AliasArn")
        ]
        return [CatalogEntry("lexbot", self._lex_v2_name(arn), arn, arn) for arn in arns]

    def _lex_v2_name(self, alias_arn: str) -> str:
        """``BotName/AliasName`` via Lex V2 (names are what match across accounts).

        Connect only lists alias ARNs, whose ids differ per account. Where Lex cannot be
        asked (no permission, an endpoint without Lex), ``BOTID/ALIASID`` is used instead
        and a warning says so.
        """
        bot_id, alias_id = lex_v2_ids(alias_arn)
        fallback = f"{bot_id}/{alias_id}" if alias_id else bot_id
        if self._lex_client is None or not alias_id:
            return fallback
        region = alias_arn.split(":")[3] or self.region
        try:
            lex = self._lex_clients.get(region)
            if lex is None:
                lex = self._lex_clients[region] = self._lex_client(region)
                lex.meta.events.register("before-send", self._count_lex_attempt)
            bot = self._call("DescribeBot", _via=lex, _label="lexv2:DescribeBot", botId=bot_id)
            alias = self._call(
                "DescribeBotAlias",
                _via=lex,
                _label="lexv2:DescribeBotAlias",
                botId=bot_id,
                botAliasId=alias_id,
            )
        except ConnectError as error:
            self._resource_warnings.append(
                f"lexbot: names of Lex V2 bots unavailable ({error}); using ids"
            )
            self._lex_client = None
            return fallback
        return f"{bot['botName']}/{alias['botAliasName']}"

    def _list_lex_v1(self) -> list[CatalogEntry]:
        partition = partition_for(self.region)
        out = []
        for item in self._pages("ListLexBots", "LexBots", InstanceId=self.instance_id):
            name, region = str(item["Name"]), str(item.get("LexRegion") or self.region)
            arn = f"arn:{partition}:lex:{region}:{self.account_id}:bot:{name}"
            out.append(CatalogEntry("lexbot_v1", name, name, arn))
        return out

    def _list_phone_numbers(self) -> list[CatalogEntry]:
        return [
            CatalogEntry(
                "phonenumber",
                str(item.get("PhoneNumber") or item["PhoneNumberId"]),
                str(item["PhoneNumberId"]),
                str(item["PhoneNumberArn"]),
            )
            for item in self._pages(
                "ListPhoneNumbersV2", "ListPhoneNumbersSummaryList", TargetArn=self.instance_arn
            )
        ]

    # --- flows and modules -------------------------------------------------------------

    def describe(
        self, kind: FlowKind, flow_id: str, version: int | Literal["$SAVED"] | None = None
    ) -> RemoteFlow:
        """One flow or module; ``version`` reads a published version or the saved draft."""
        family = _family(kind)
        ident = bare_id(flow_id) if version is None else self.qualified_arn(kind, flow_id, version)
        out = self._call(
            family.describe,
            _resource=flow_id,
            InstanceId=self.instance_id,
            **{family.id_param: ident},
        )
        return remote_flow(kind, out[family.single_key])

    def flow_arn(self, kind: FlowKind, flow_id: str) -> str:
        """The ARN of a flow or module of this instance from its id (or ARN), unqualified."""
        if flow_id.startswith("arn:"):
            return strip_qualifier(flow_id)
        segment = _family(kind).arn_segment
        return f"{self.instance_arn}/{segment}/{strip_qualifier(flow_id)}"

    def qualified_arn(
        self, kind: FlowKind, flow_id: str, qualifier: int | Literal["$SAVED"]
    ) -> str:
        """``arn:...:contact-flow/<id>:<qualifier>`` (``flow-module`` for modules): the
        form Connect documents for a version or the saved draft, never ``<id>:$SAVED``."""
        return f"{self.flow_arn(kind, flow_id)}:{qualifier}"

    def find_by_name(self, kind: FlowKind, name: str, *, settle: bool = False) -> RemoteFlow | None:
        """One flow or module by exact name, with content, without listing the catalog.

        One Search call filtered by name (a page holds every match: names are unique per
        kind); where Search is denied or missing, List + one Describe. Search is
        eventually consistent in Amazon Connect: a resource created moments ago may not be
        found yet, so callers that just created it should describe it by id instead.
        ``settle``: the caller knows it exists (Connect refused a create of that name):
        Search, then List, are asked again with backoff for up to
        ``settings.settle_seconds`` until it shows (counted in ``lag_waits``).
        """
        found = self._find_by_name(kind, name)
        if found is not None or not settle:
            return found
        family = _family(kind)
        deadline = self._clock() + self.settings.settle_seconds
        for attempt in itertools.count(1):
            for summary in self._pages(family.list, family.list_key, InstanceId=self.instance_id):
                if summary.get("Name") == name:
                    return self.describe(kind, str(summary["Id"]))
            if self._clock() >= deadline or attempt >= 30:
                return None
            self.lag_waits[family.search] += 1
            self._sleep(self._backoff(attempt))
            found = self._find_by_name(kind, name)
            if found is not None:
                return found
        raise AssertionError("unreachable")  # pragma: no cover

    def _find_by_name(self, kind: FlowKind, name: str) -> RemoteFlow | None:
        family = _family(kind)
        criteria = {
            "StringCondition": {"FieldName": "name", "Value": name, "ComparisonType": "EXACT"}
        }
        try:
            items = list(
                self._pages(
                    family.search,
                    family.search_key,
                    InstanceId=self.instance_id,
                    SearchCriteria=criteria,
                )
            )
        except ConnectError as error:
            if not _unavailable(error):
                raise
            self.warnings.append(
                f"{family.search} unavailable ({error.code}); found {kind} {name!r} with "
                f"{family.list} + {family.describe}"
            )
            for summary in self._pages(family.list, family.list_key, InstanceId=self.instance_id):
                if summary.get("Name") == name:
                    return self.describe(kind, str(summary["Id"]))
            return None
        for item in items:
            if item.get("Name") == name:
                flow = remote_flow(kind, item)
                if flow.content is None:
                    described = self.describe(kind, flow.id)
                    flow = replace(described, tags=flow.tags or described.tags)
                return flow
        self.lagging_reads.append(
            f"{family.search} found no {kind} named {name!r}; Search is eventually "
            "consistent, so one created in the last seconds may not show yet"
        )
        return None

    def flows_tagged(self, key: str) -> list[RemoteFlow] | None:
        """Flows carrying tag ``key`` (any value), by one Search filtered on the tag, without
        content; None where Search is denied or missing (eventually consistent, like every
        Search)."""
        family = _family("flow")
        search_filter = {"TagFilter": {"TagCondition": {"TagKey": key}}}
        try:
            items = self._pages(
                family.search,
                family.search_key,
                InstanceId=self.instance_id,
                SearchFilter=search_filter,
            )
            flows = [remote_flow("flow", item) for item in items]
        except ConnectError as error:
            if not _unavailable(error):
                raise
            return None
        if not flows:
            self.lagging_reads.append(
                f"{family.search} found no flow tagged {key!r}; Search is eventually "
                "consistent, so a tag added in the last seconds may not show yet"
            )
        return flows

    def create(
        self,
        kind: FlowKind,
        name: str,
        content: str,
        *,
        type: str = "CONTACT_FLOW",
        description: str = "",
        tags: Mapping[str, str] | None = None,
        status: Literal["PUBLISHED", "SAVED"] = "PUBLISHED",
    ) -> RemoteFlow:
        """Create a flow (or module) and add it to the cached catalog."""
        family = _family(kind)
        params: dict[str, Any] = {"InstanceId": self.instance_id, "Name": name, "Content": content}
        if not _blank(description):
            params["Description"] = description
        if tags:
            params["Tags"] = dict(tags)
        if kind == "flow":
            params.update(Type=type, Status=status)
        else:
            params.update(split_module_settings(content))
        out = self._call(family.create, **params)
        flow_id = str(out.get("ContactFlowId") or out.get("Id"))
        self._fresh[flow_id] = self._clock()
        flow = RemoteFlow(
            kind=kind,
            id=flow_id,
            arn=str(out.get("ContactFlowArn") or out.get("Arn")),
            name=name,
            type=type if kind == "flow" else "MODULE",
            description=description,
            status=status if kind == "flow" else "PUBLISHED",
            tags=dict(tags or {}),
            content=content,
            sha256=out.get("FlowContentSha256"),
        )
        if self._flows is not None:
            self._flows[flow.key] = flow
        if self._catalog is not None:
            self._catalog.flows[flow.key] = flow
            self._catalog.add(flow.entry())
        return flow

    def update_content(
        self, kind: FlowKind, flow_id: str, content: str, *, publish: bool = True
    ) -> None:
        """Replace the content; ``publish=False`` updates ``:$SAVED`` only (no validation)."""
        family = _family(kind)
        ident = bare_id(flow_id) if publish else self.qualified_arn(kind, flow_id, "$SAVED")
        settings = split_module_settings(content) if kind == "module" else {}
        self._call(
            family.update_content,
            _resource=flow_id,
            InstanceId=self.instance_id,
            **{family.id_param: ident, "Content": content, **settings},
        )

    def update_metadata(
        self,
        kind: FlowKind,
        flow_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        state: str | None = None,
    ) -> None:
        """Rename, re-describe or (de)activate a flow or module.

        A module's description cannot be cleared (Connect's model requires a non-blank
        character): a blank one is not sent, and ``warnings`` says the old one stays.
        """
        family = _family(kind)
        params: dict[str, Any] = {"InstanceId": self.instance_id, family.id_param: bare_id(flow_id)}
        if name is not None:
            params["Name"] = name
        if description is not None and kind == "module" and _blank(description):
            self.warnings.append(
                f"module {name or flow_id}: Connect cannot clear a module's description "
                "(it must hold a non-blank character); the old description stays"
            )
        elif description is not None:
            params["Description"] = description
        if state is not None:
            params[family.state_param] = state
        if len(params) > 2:
            self._call(family.update_metadata, _resource=flow_id, **params)

    def create_version(
        self, kind: FlowKind, flow_id: str, description: str, *, expected_sha256: str | None = None
    ) -> int:
        """Publish an immutable version; with ``expected_sha256``, only if content is unchanged.

        A stale checksum raises ConditionFailedError (optimistic concurrency).
        """
        family = _family(kind)
        params: dict[str, Any] = {"InstanceId": self.instance_id, family.id_param: bare_id(flow_id)}
        if not _blank(description):
            params["Description"] = description
        if expected_sha256:
            params[family.sha_param] = expected_sha256
        try:
            out = self._call(family.create_version, _resource=flow_id, **params)
        except ConnectError as error:
            stale = expected_sha256 and error.code in (
                "InvalidRequestException",
                "ResourceConflictException",
                "ConditionalOperationFailedException",
                "PreconditionFailedException",
            )
            if stale:
                raise ConditionFailedError(
                    error.code, error.message, operation=error.operation, status=error.status
                ) from None
            raise
        return int(out["Version"])

    def list_versions(self, kind: FlowKind, flow_id: str) -> list[FlowVersion]:
        """Every published version, oldest first."""
        family = _family(kind)
        versions = [
            FlowVersion(
                version=int(item["Version"]),
                description=str(item.get("VersionDescription") or ""),
                created=_as_datetime(item.get("LastModifiedTime")),
                arn=str(item.get("Arn") or ""),
            )
            for item in self._pages(
                family.list_versions,
                family.versions_key,
                _resource=flow_id,
                InstanceId=self.instance_id,
                **{family.id_param: bare_id(flow_id)},
            )
        ]
        return sorted(versions, key=lambda v: v.version)

    def create_alias(
        self, kind: FlowKind, flow_id: str, name: str, version: int, description: str = ""
    ) -> str:
        """Point a new alias at ``version``; returns the alias id."""
        family = _family(kind)
        params: dict[str, Any] = {
            "InstanceId": self.instance_id,
            family.id_param: bare_id(flow_id),
            "AliasName": name,
            family.version_param: version,
        }
        if not _blank(description):
            params["Description"] = description
        out = self._call(family.create_alias, _resource=flow_id, **params)
        return str(out["Id"])

    def update_alias(self, kind: FlowKind, flow_id: str, alias_id: str, version: int) -> None:
        """Repoint an alias (rollback moves entry points this way)."""
        family = _family(kind)
        params: dict[str, Any] = {
            "InstanceId": self.instance_id,
            family.id_param: bare_id(flow_id),
            "AliasId": alias_id,
            family.version_param: version,
        }
        self._call(family.update_alias, _resource=flow_id, **params)

    def list_aliases(self, kind: FlowKind, flow_id: str) -> list[dict[str, Any]]:
        """Alias summaries as Connect returns them (AliasId, AliasName, Version, Arn...)."""
        family = _family(kind)
        return [
            dict(item)
            for item in self._pages(
                family.list_aliases,
                family.aliases_key,
                _resource=flow_id,
                InstanceId=self.instance_id,
                **{family.id_param: bare_id(flow_id)},
            )
        ]

    def delete(self, kind: FlowKind, flow_id: str) -> None:
        """Delete a flow or module."""
        family = _family(kind)
        self._call(
            family.delete,
            _resource=flow_id,
            InstanceId=self.instance_id,
            **{family.id_param: bare_id(flow_id)},
        )
        self._fresh.pop(strip_qualifier(bare_id(flow_id)), None)

    # --- tags --------------------------------------------------------------------------

    def tag(self, arn: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite tags on a resource."""
        if tags:
            self._call("TagResource", _resource=arn, resourceArn=arn, tags=dict(tags))

    def untag(self, arn: str, keys: Sequence[str]) -> None:
        """Remove tags by key."""
        if keys:
            self._call("UntagResource", _resource=arn, resourceArn=arn, tagKeys=list(keys))

    def list_tags(
        self, arn: str, *, settle: Callable[[dict[str, str]], bool] | None = None
    ) -> dict[str, str]:
        """A resource's tags. ``settle``: the caller knows from a strongly consistent read
        (the content, by id) what the tags must show: tags lag writes in Connect, so they
        are asked again with backoff for up to ``settings.settle_seconds`` until
        ``settle(tags)`` holds (counted in ``lag_waits``); the last answer either way."""
        tags = self._tags_of(arn)
        deadline = self._clock() + self.settings.settle_seconds
        attempt = 0
        while settle is not None and not settle(tags):
            attempt += 1
            if self._clock() >= deadline or attempt >= 30:
                self.lagging_reads.append(
                    f"the tags of {arn} did not catch up within "
                    f"{self.settings.settle_seconds:.0f} s (tags are eventually consistent)"
                )
                break
            self.lag_waits["ListTagsForResource"] += 1
            self._sleep(self._backoff(attempt))
            tags = self._tags_of(arn)
        return tags

    def _tags_of(self, arn: str) -> dict[str, str]:
        out = self._call("ListTagsForResource", _resource=arn, resourceArn=arn)
        return dict(out.get("tags") or {})

    # --- test cases (Testing and simulation) ---------------------------------------------

    def create_hours_of_operation(self, name: str, config: list[dict[str, Any]]) -> CatalogEntry:
        """Create hours (UTC) and add them to the cached catalog."""
        out = self._call(
            "CreateHoursOfOperation",
            InstanceId=self.instance_id,
            Name=name,
            TimeZone="UTC",
            Config=config,
        )
        entry = CatalogEntry(
            "hours", name, str(out["HoursOfOperationId"]), str(out["HoursOfOperationArn"])
        )
        if self._resources is not None:
            self._resources.append(entry)
        if self._catalog is not None:
            self._catalog.add(entry)
        return entry

    def list_test_cases(self) -> list[dict[str, Any]]:
        """Summaries (Id, Arn, Name, Status...) of every test case of the instance."""
        return list(
            self._pages("ListTestCases", "TestCaseSummaryList", InstanceId=self.instance_id)
        )

    def describe_test_case(self, test_case_id: str) -> dict[str, Any]:
        """One test case (its published version when it has one)."""
        out = self._call("DescribeTestCase", InstanceId=self.instance_id, TestCaseId=test_case_id)
        return dict(out["TestCase"])

    def create_test_case(self, **params: Any) -> str:
        """Create a test case (CreateTestCase parameters); returns its id."""
        out = self._call("CreateTestCase", InstanceId=self.instance_id, **params)
        return str(out["TestCaseId"])

    def update_test_case(self, test_case_id: str, **params: Any) -> None:
        """Replace a test case's content, entry point, data or status."""
        self._call("UpdateTestCase", InstanceId=self.instance_id, TestCaseId=test_case_id, **params)

    def delete_test_case(self, test_case_id: str) -> None:
        """Delete a test case (and its executions' records)."""
        self._call("DeleteTestCase", InstanceId=self.instance_id, TestCaseId=test_case_id)

    def start_test_case_execution(self, test_case_id: str, client_token: str) -> dict[str, Any]:
        """Start (queue) an execution of a published test case."""
        return self._call(
            "StartTestCaseExecution",
            InstanceId=self.instance_id,
            TestCaseId=test_case_id,
            ClientToken=client_token,
        )

    def test_case_execution_summary(self, test_case_id: str, execution_id: str) -> dict[str, Any]:
        """Status, times and observation counts of an execution."""
        return self._call(
            "GetTestCaseExecutionSummary",
            InstanceId=self.instance_id,
            TestCaseId=test_case_id,
            TestCaseExecutionId=execution_id,
        )

    def test_case_execution_records(
        self, test_case_id: str, execution_id: str
    ) -> list[dict[str, Any]]:
        """Every record of an execution, oldest first."""
        return list(
            self._pages(
                "ListTestCaseExecutionRecords",
                "ExecutionRecords",
                InstanceId=self.instance_id,
                TestCaseId=test_case_id,
                TestCaseExecutionId=execution_id,
            )
        )

    # --- metrics -----------------------------------------------------------------------

    def metric_data(
        self,
        start: datetime,
        end: datetime,
        metrics: Sequence[Mapping[str, Any]],
        *,
        filters: Sequence[Mapping[str, Any]] = (),
        groupings: Sequence[str] = (),
        period: str = "TOTAL",
    ) -> list[dict[str, Any]]:
        """Every ``MetricResults`` item of ``GetMetricDataV2`` for the instance over
        ``[start, end)``. The same request (same window) is answered from a cache for the
        client's life: a window's numbers are read once per command."""
        params: dict[str, Any] = {
            "ResourceArn": self.instance_arn,
            "StartTime": start,
            "EndTime": end,
            "Interval": {"IntervalPeriod": period, "TimeZone": "UTC"},
            "Metrics": [dict(m) for m in metrics],
            **({"Filters": [dict(f) for f in filters]} if filters else {}),
            **({"Groupings": list(groupings)} if groupings else {}),
        }
        key = json.dumps(params, sort_keys=True, default=str)
        if key not in self._metric_cache:
            self._metric_cache[key] = list(
                self._pages("GetMetricDataV2", "MetricResults", **params)
            )
        return self._metric_cache[key]


def _as_datetime(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None
