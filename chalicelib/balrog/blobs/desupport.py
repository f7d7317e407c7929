"""Schema 50: "your system is no longer supported" (Firefox 24+ shows the details page).

Always served, whatever the requesting version; its ``<update>`` carries
``unsupported="true"`` and no patches. The header part is empty and the
footer unindented, so the document has a blank line, exactly as Balrog's.
"""

from __future__ import annotations

from chalicelib.balrog.blobs.base import RenderContext, XMLBlob
from chalicelib.balrog.blobs.xml_text import text
from chalicelib.balrog.matching import UpdateQuery


class Desupport(XMLBlob):
    def header(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> str:
        return ""

    def inner(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> list[str]:
        os_name = query.buildTarget.split("_")[0]
        url = str(self.data.get("detailsUrl"))
        for placeholder, value in (("%LOCALE%", query.locale), ("%VERSION%", query.version), ("%OS%", os_name)):
            url = url.replace(placeholder, value)
        for placeholder, value in (("%locale%", query.locale), ("%version%", query.version), ("%os%", os_name)):
            url = url.replace(placeholder, value)
        return [f'    <update type="{text(update_type)}" unsupported="true" detailsURL="{text(url)}"'
                f' displayVersion="{text(self.data.get("displayVersion"))}">']

    def footer(self, query: UpdateQuery, update_type: str, ctx: RenderContext) -> str:
        return "</update>"
