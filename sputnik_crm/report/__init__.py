from . import sputnik_client_settlement
from . import sputnik_client_timeline
from . import sputnik_booking_report
from . import sputnik_payment_report
from . import sputnik_agent_report
from . import sputnik_campaign_report
