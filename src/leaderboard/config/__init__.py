"""Configuration: data-dir resolution, `config.yaml` loading, substitution and validation.

Everything else reads the typed `Config` (model.py); this package is the only place that looks
at the raw YAML.
"""

from leaderboard.config.badges import (
    check_activity_definition,
    check_aggregate_definition,
    check_badge_definition,
    check_badge_rule,
)
from leaderboard.config.datadir import default_cache_dir, export_data_dir, resolve_data_dir
from leaderboard.config.env import mask, substitute
from leaderboard.config.loader import ConfigResult, load_config, validate_text
from leaderboard.config.model import (
    BotsConfig,
    Config,
    DataExplorerConfig,
    IdentityConfig,
    LeaderboardConfig,
    MetaConfig,
    OrgConfig,
    PluginEntry,
    PrivacyConfig,
    RoleConfig,
    SiteConfig,
)
from leaderboard.config.plugin_schema import check_plugin_config
from leaderboard.config.sources import (
    SourceError,
    SourceSpec,
    classify_source,
    resolve_source_path,
)

__all__ = [
    "BotsConfig",
    "Config",
    "ConfigResult",
    "DataExplorerConfig",
    "IdentityConfig",
    "LeaderboardConfig",
    "MetaConfig",
    "OrgConfig",
    "PluginEntry",
    "PrivacyConfig",
    "RoleConfig",
    "SiteConfig",
    "SourceError",
    "SourceSpec",
    "check_activity_definition",
    "check_aggregate_definition",
    "check_badge_definition",
    "check_badge_rule",
    "check_plugin_config",
    "classify_source",
    "default_cache_dir",
    "export_data_dir",
    "load_config",
    "mask",
    "resolve_data_dir",
    "resolve_source_path",
    "substitute",
    "validate_text",
]
