"""Loops (Theano's ``theano.scan_module``): ``scan``, ``until``, and the
shorthands ``map``, ``reduce``, ``foldl``, ``foldr``."""

from theon.scan_module.scan import scan
from theon.scan_module.scan_utils import until
from theon.scan_module.scan_views import foldl, foldr, map, reduce

__all__ = ["scan", "until", "map", "reduce", "foldl", "foldr"]
