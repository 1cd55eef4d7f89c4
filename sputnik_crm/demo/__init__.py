from . import sputnik_demo
