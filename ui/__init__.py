"""ConvLab's middle floor, by kind: frame/, widgets/, components/, figures/, teaching/.

Pages import from here; this package imports conv_core; conv_core imports neither.
"""
