from . import base_partner_merge
from . import sputnik_passport_override
from . import sputnik_client_erase
from . import sputnik_client_statement
from . import sale_order_cancel
