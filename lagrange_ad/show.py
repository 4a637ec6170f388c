"""The pictures of :mod:`lagrange_ad.display` under a name that does not collide with IPython's ``display``.

A notebook that writes ``from IPython.display import display`` and ``from lagrange_ad import display`` loses
one of them; ``from lagrange_ad import show`` keeps both. Both names give the very same functions, and
``lagrange_ad.display`` keeps working (the chapters and released notebooks import it).

>>> from lagrange_ad import display, show
>>> show.matrix_latex is display.matrix_latex
True
"""

from .display import *  # noqa: F403 - this module is the same API under another name
from .display import __all__  # noqa: F401
