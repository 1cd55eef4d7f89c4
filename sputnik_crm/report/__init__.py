from . import sputnik_client_settlement
from . import sputnik_client_timeline
