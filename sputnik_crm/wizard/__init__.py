from . import sputnik_passport_override
