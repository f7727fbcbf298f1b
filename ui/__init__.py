"""ConvLab's middle floor: shared widgets, the stepper component, figure builders, translations.

Pages import from here; this package imports conv_core; conv_core imports neither.
"""
