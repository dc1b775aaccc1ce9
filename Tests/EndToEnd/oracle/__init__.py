"""Corpus oracle for tracking-milter's rewriter (see ``test_corpus_oracle.py``).

The rewriter is judged by independent parsers: Python's ``email`` package
(compat32) for MIME structure and transfer decoding, ``html5lib`` for HTML
trees, plus a raw MIME splitter (``rawmime``) that mirrors ``email``'s
boundary rules with byte offsets, for byte-identity checks.
"""
