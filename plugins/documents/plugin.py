"""Documents plugin (公文): 收文、发文、传阅、批示、编号与 GB/T 9704 版式.

Entry point fuban.plugins: documents; everything it uses from the platform comes from :mod:`core.api`.
"""

from __future__ import annotations

from core.api import PluginManifest

manifest = PluginManifest(
    name="documents",
    version="0.1.0",
    title="公文",
    title_en="Documents",
    description="收文、发文、传阅、批示、编号与 GB/T 9704 版式",
    requires_core=">=0.1",
)
