"""The explorer's tests build their sites from the public-DB tests' sample organisation.

``lbsample`` lives beside the public-DB tests; pytest only puts a test's own directory on
``sys.path``, so without this the explorer tests import it only when the public-DB tests happen
to be collected first (running ``tests/explorer`` alone failed with "No module named lbsample").
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "publicdb"))
