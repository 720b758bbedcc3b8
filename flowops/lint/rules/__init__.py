"""Every lint rule, listed explicitly: importing a module registers nothing.

Ids by category: FL1xx flow structure, FL2xx branches and errors, FL3xx contact data and
security, FL4xx environment and configuration, FL5xx paths to service.
"""

from __future__ import annotations

from flowops.lint.rule import Rule
from flowops.lint.rules.fl101_missing_start_action import MissingStartAction
from flowops.lint.rules.fl102_dangling_transition import DanglingTransition
from flowops.lint.rules.fl103_duplicate_identifier import DuplicateIdentifier
from flowops.lint.rules.fl104_unreachable_action import UnreachableAction
from flowops.lint.rules.fl105_dead_end import DeadEnd
from flowops.lint.rules.fl106_loop_without_exit import LoopWithoutExit
from flowops.lint.rules.fl107_loop_exits_only_on_error import LoopExitsOnlyOnError
from flowops.lint.rules.fl201_unhandled_error import UnhandledError
from flowops.lint.rules.fl202_missing_default import MissingDefault
from flowops.lint.rules.fl203_distribute_by_percentage import DistributeByPercentage
from flowops.lint.rules.fl204_lambda_timeout import LambdaTimeout
from flowops.lint.rules.fl301_attributes_size import AttributesSize
from flowops.lint.rules.fl302_sensitive_input_logged import SensitiveInputLogged
from flowops.lint.rules.fl303_sensitive_attribute import SensitiveAttribute
from flowops.lint.rules.fl401_hardcoded_environment import HardcodedEnvironment
from flowops.lint.rules.fl501_no_path_to_service import NoPathToService
from flowops.lint.rules.fl502_no_hours_check import NoHoursCheck

ALL_RULES: tuple[type[Rule], ...] = (
    MissingStartAction,
    DanglingTransition,
    DuplicateIdentifier,
    UnreachableAction,
    DeadEnd,
    LoopWithoutExit,
    LoopExitsOnlyOnError,
    UnhandledError,
    MissingDefault,
    DistributeByPercentage,
    LambdaTimeout,
    AttributesSize,
    SensitiveInputLogged,
    SensitiveAttribute,
    HardcodedEnvironment,
    NoPathToService,
    NoHoursCheck,
)

RULES_BY_ID: dict[str, type[Rule]] = {rule.id: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_ID"]
