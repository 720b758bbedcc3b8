"""Suite-wide settings.

Every flowops client the suite makes (in-process and in CLI subprocesses) checks each
request against botocore's model constraints before sending it
(``FLOWOPS_CHECK_MODEL``, see :mod:`flowops.connect.constraints`): a call that Connect
would refuse for a length, pattern, enum or range fails the test that made it, even where
the sandbox is more lenient than the service.
"""

from __future__ import annotations

import os

from flowops.connect.session import CHECK_MODEL_ENV

os.environ.setdefault(CHECK_MODEL_ENV, "1")
