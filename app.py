"""ConvLab entrypoint: `streamlit run app.py`.

For now a single page: what ConvLab is, and the output-size rule worked out live
for the numbers you choose. The multipage shell (st.navigation, language switch,
studio) is built on top of this in the next step.
"""

import streamlit as st

import conv_core

st.set_page_config(page_title="ConvLab", page_icon="🔲", layout="wide")

st.title("ConvLab")
st.markdown(
    "An interactive convolution visualizer for CNN courses: slide a filter over a grid "
    "step by step, see every product and sum, and watch how padding, stride and dilation "
    "change the output."
)

st.subheader("Output size")
cols = st.columns(5)
n = cols[0].number_input("Input size H", 1, 4096, 5, key="home.n")
k = cols[1].number_input("Kernel F", 1, 31, 3, key="home.k")
s = cols[2].number_input("Stride S", 1, 16, 1, key="home.s")
p = cols[3].number_input("Padding P", 0, 31, 1, key="home.p")
d = cols[4].number_input("Dilation D", 1, 8, 1, key="home.d")

try:
    detail = conv_core.conv_output_size_detail(int(n), int(k), int(s), int(p), int(d))
except conv_core.ArgumentError as err:
    st.error(str(err))
else:
    st.markdown(f"**{detail.formula()}**")
    if not detail.is_exact:
        st.warning(
            f"The stride does not divide evenly: frameworks round down, so the last "
            f"{detail.remainder} padded row(s) are never under a window "
            f"({detail.unvisited} of them real input)."
        )
