"""Chinese full-text search support for documents (公文检索): jieba segmentation for tsvector/tsquery."""

from plugins.documents.search.segment import like_patterns, segment, tsquery, words

__all__ = ["like_patterns", "segment", "tsquery", "words"]
