"""NNCP loading (cluster or file), normalisation, node selection, NNCE / NNS reading."""
