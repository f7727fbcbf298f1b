"""Class mode's shared state (pure, no Streamlit): the store interface and the room logic."""
