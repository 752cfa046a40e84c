"""Finding items: embedders, the vector and lexical indexes, the one search, and its evaluation."""
