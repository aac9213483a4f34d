"""GB/T 9704-2012 公文格式: the PDF of an outgoing document (发文).

from plugins.documents.gbt9704 import OutgoingPdf, render_outgoing_pdf
pdf: bytes = render_outgoing_pdf(OutgoingPdf(...))
"""

from plugins.documents.gbt9704.fonts import CjkFontNotFoundError
from plugins.documents.gbt9704.model import OutgoingPdf, OutgoingPdfError
from plugins.documents.gbt9704.render import render_outgoing_pdf

__all__ = ["CjkFontNotFoundError", "OutgoingPdf", "OutgoingPdfError", "render_outgoing_pdf"]
