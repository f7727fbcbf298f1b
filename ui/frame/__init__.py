"""The frame of the app: translations, link state, presenter mode, page list, server memory."""
