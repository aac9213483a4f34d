"""Letters and visits plugin (信访): 信访事项受理、转交办、法定期限、市长信箱与群众门户.

Entry point fuban.plugins: petitions; everything it uses from the platform comes from :mod:`core.api`.
"""

from __future__ import annotations

from core.api import PluginManifest

manifest = PluginManifest(
    name="petitions",
    version="0.1.0",
    title="信访",
    title_en="Letters and visits",
    description="信访事项受理、转交办、法定期限、市长信箱与群众门户",
    requires_core=">=0.1",
)
