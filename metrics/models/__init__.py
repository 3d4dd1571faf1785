"""The metrics app's models, by concern: operational data and its targets (data), imports
(imports), the stored figures and their runs (rollups), whole-history analyses (analyses)."""

from .analyses import BarrierStake, LoyaltyLink, ObservedRun, ObservedStep
from .data import ChannelCost, Customer, Interaction, ServiceTarget, SurveyResponse, Transaction
from .imports import (
    DataImport,
    StagedCustomer,
    StagedInteraction,
    StagedRow,
    StagedSurveyResponse,
    StagedTransaction,
)
from .rollups import (
    ALL_TIME,
    THRESHOLD_DAYS,
    CohortActivity,
    CustomerDay,
    Dimension,
    Grain,
    MetricsChunk,
    MetricsRun,
    PeriodGroup,
    ServiceCounts,
    ServiceDay,
    ServiceKindDay,
    ServicePeriod,
    SurveyPeriod,
)

__all__ = [
    "ALL_TIME",
    "THRESHOLD_DAYS",
    "BarrierStake",
    "ChannelCost",
    "CohortActivity",
    "Customer",
    "CustomerDay",
    "DataImport",
    "Dimension",
    "Grain",
    "Interaction",
    "LoyaltyLink",
    "MetricsChunk",
    "MetricsRun",
    "ObservedRun",
    "ObservedStep",
    "PeriodGroup",
    "ServiceCounts",
    "ServiceDay",
    "ServiceKindDay",
    "ServicePeriod",
    "ServiceTarget",
    "StagedCustomer",
    "StagedInteraction",
    "StagedRow",
    "StagedSurveyResponse",
    "StagedTransaction",
    "SurveyPeriod",
    "SurveyResponse",
    "Transaction",
]
