"""Chinese full-text search support for documents (公文检索): jieba segmentation for tsvector/tsquery."""

from plugins.documents.search.segment import segment, tsquery, words

__all__ = ["segment", "tsquery", "words"]
