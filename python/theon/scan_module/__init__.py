"""Loops (Theano's ``theano.scan_module``): ``scan``, ``until``, and the
shorthands ``map``, ``reduce``, ``foldl``, ``foldr``."""

from theon.scan_module.scan import scan, scan_checkpoints
from theon.scan_module.scan_utils import until
from theon.scan_module.scan_views import foldl, foldr, map, reduce

__all__ = ["scan", "scan_checkpoints", "until", "map", "reduce", "foldl", "foldr"]
