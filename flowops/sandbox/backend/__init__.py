"""Connect's semantics, per resource family, over the typed store (the state), apart from
the wire (:mod:`flowops.sandbox.protocol` and :mod:`flowops.sandbox.server`).

* :mod:`.instances`: instances;
* :mod:`.flows`: flows and flow modules (one implementation, the differences in ``Kind``);
* :mod:`.versions`: versions and aliases of both;
* :mod:`.catalog`: queues, prompts, hours, quick connects, users, Lambda, Lex, phone numbers;
* :mod:`.views`: views (customer-managed with versions, and the AWS-managed ones);
* :mod:`.tags`: tags;
* :mod:`.search`: Search criteria and filters; :mod:`.shapes`: records as output shapes;
* :mod:`.operations`: the operation table (the flow/module twins generated from one
  definition) and :class:`~.operations.Backend`, which runs each call in one transaction.

A new family (Connect's test cases, for instance) is a :class:`~.common.Family` subclass in
its own module, registered in :data:`~.operations.FAMILIES`.
"""
