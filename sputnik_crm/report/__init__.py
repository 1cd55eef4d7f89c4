from . import sputnik_client_settlement
