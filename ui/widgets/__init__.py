"""Shared Streamlit widgets: kernel editor, conv controls, image picker, input grids, code panel.

Pages write ``from ui import widgets`` and call ``widgets.kernel_editor(...)``: this face
hands on each module's public names, so a page need not know which file holds a widget.
The modules, one job each:

==================  =================================================================
``state``           kept values (:data:`KEEP_STATE`), translated choices, option labels
``cells``           kernel cells as text <-> matrices (pure: no Streamlit)
``kernel_input``    the kernel editor
``conv_input``      padding, padding mode, stride and dilation
``image_pick``      :class:`ImagePick`, what every image source returns
``image_input``     the image picker: sample, upload, camera, drawing
``drawn_input``     the drawing grid as an input (studio grid source, lab image source)
``grid_input``      the small typed/random input grid of the studio and pooling pages
``tables``          table alternatives for figures, the lazy expander
``code_panel``      the "Show code" panel
==================  =================================================================

Each widget takes a ``prefix`` (the page's namespace, such as ``"studio"``), keeps its
state under ``<prefix>.kernel.*``, ``<prefix>.conv.*`` or ``<prefix>.image.*``, and
returns a small frozen dataclass. Every string comes from ``assets/i18n`` through
:func:`ui.frame.i18n.t`; a conv_core error is shown with ``st.error(te(err))`` and
returned, never raised.

State is set in one way only: before the widget is drawn in a run (``set_kernel``,
``set_conv_settings``, ``set_image_sample``, or the widget's ``default`` on the first
run) or from a callback. A widget is never given both a value and a session-state key.

Session-state keys (``p`` = prefix):

=======================  =====================================================
``p.kernel.preset``      selectbox: a ``conv_core.KERNELS`` name or ``'custom'``
``p.kernel.rows/cols``   selectboxes 1..7 (KH, KW)
``p.kernel.grid.v<n>``   the data editor (a new ``n`` resets it; see kernel_input)
``p.kernel.divide``      toggle "divide by the sum"
``p.kernel.bias``        number input
``p.kernel.random``      button
``p.conv.padding_kind``  ``'number' | 'valid' | 'same' | 'full'``
``p.conv.padding``       cells on every side (``padding_split`` off)
``p.conv.padding_split`` toggle; then ``p.conv.padding_rows`` / ``padding_cols``
``p.conv.padding_mode``  one of ``conv_core.CONV_PADDING_MODES``
``p.conv.stride_rows``   ... ``stride_cols``, ``dilation_rows``, ``dilation_cols``
``p.image.source``       ``'sample' | 'upload'`` (``| 'camera' | 'draw'`` when offered)
``p.image.sample``       a ``ui.teaching.samples.SAMPLES`` name
``p.image.upload``       the file uploader
``p.image.camera``       the camera (``st.camera_input``; see image_input.image_camera)
``p.image.draw``         the drawing grid (``ui.widgets.drawn_input.image_draw``)
=======================  =====================================================
"""

from ui.widgets.cells import (
    Cells,
    apply_edits,
    cells_to_frame,
    format_cell,
    format_total,
    frame_to_cells,
    grid_frame,
    kernel_from_cells,
    match_kernel_name,
    matrix_to_cells,
    resize_cells,
)
from ui.widgets.conv_input import (
    PADDING_KINDS,
    ConvSettings,
    PaddingKind,
    PaddingSpec,
    controls_from_padding,
    conv_controls,
    padding_from_controls,
    padding_mode_label,
    set_conv_settings,
)
from ui.widgets.image_input import (
    CAMERA_RESOLUTION,
    UPLOAD_TYPES,
    camera_blocked,
    image_camera,
    image_picker,
    image_upload,
    set_image_sample,
)
from ui.widgets.image_pick import ImagePick
from ui.widgets.kernel_input import CUSTOM, KernelChoice, kernel_editor, kernel_grid_key, set_kernel
from ui.widgets.state import (
    KEEP_STATE,
    choice_buttons,
    init_state,
    labels,
    resync_translated_choices,
    translated_choice,
)
from ui.widgets.tables import (
    TABLE_ALT_MAX,
    lazy_expander,
    table_alt_frame,
    table_alternative,
    table_alternatives,
    table_expander,
)

__all__ = [
    "CAMERA_RESOLUTION",
    "CUSTOM",
    "KEEP_STATE",
    "PADDING_KINDS",
    "TABLE_ALT_MAX",
    "UPLOAD_TYPES",
    "Cells",
    "ConvSettings",
    "ImagePick",
    "KernelChoice",
    "PaddingKind",
    "PaddingSpec",
    "apply_edits",
    "camera_blocked",
    "cells_to_frame",
    "choice_buttons",
    "controls_from_padding",
    "conv_controls",
    "format_cell",
    "format_total",
    "frame_to_cells",
    "grid_frame",
    "image_camera",
    "image_picker",
    "image_upload",
    "init_state",
    "kernel_editor",
    "kernel_from_cells",
    "kernel_grid_key",
    "labels",
    "lazy_expander",
    "match_kernel_name",
    "matrix_to_cells",
    "padding_from_controls",
    "padding_mode_label",
    "resize_cells",
    "resync_translated_choices",
    "set_conv_settings",
    "set_image_sample",
    "set_kernel",
    "table_alt_frame",
    "table_alternative",
    "table_alternatives",
    "table_expander",
    "translated_choice",
]
