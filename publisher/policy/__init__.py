"""The names policy: roster loading, name matching and policy files.

Pure: reads the roster and policy files it is given, never the network, the
database or the platforms, and never logs text or names.
"""

from __future__ import annotations

from publisher.errors import PolicyFileError, RosterError
from publisher.policy.checker import NamesChecker
from publisher.policy.policyfile import Policy, load_policy
from publisher.policy.roster import Learner, Roster, RowProblem, load_roster

__all__ = [
    "Learner",
    "NamesChecker",
    "Policy",
    "PolicyFileError",
    "Roster",
    "RosterError",
    "RowProblem",
    "load_policy",
    "load_roster",
]
