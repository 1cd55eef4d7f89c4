from . import base_partner_merge
from . import sputnik_passport_override
