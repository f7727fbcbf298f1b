"""app.py as AppTest sees it from a folder without a ``pages/`` directory.

AppTest resets Streamlit's "legacy pages folder" flag before every run, so an entrypoint
next to a ``pages/`` folder is wrapped in the old automatic page list on each run and,
after the first run, AppTest re-runs the last *page* (pages/home.py) without app.py,
losing the sidebar's language switch. The real server clears the flag for good on its
first run. Running app.py from here avoids the folder; app.py gives st.Page absolute
paths, so it works from any entry folder.
"""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parents[2] / "app.py"), run_name="__main__")
