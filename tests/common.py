from odoo.tests import TransactionCase, new_test_user


class SputnikCase(TransactionCase):
    """Users of every Sputnik group and a client, made once per class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.agent = new_test_user(
            cls.env,
            login="sputnik_agent_test",
            name="Agent Test",
            groups="base.group_user,sputnik_crm.group_sputnik_user",
        )
        cls.manager = new_test_user(
            cls.env,
            login="sputnik_manager_test",
            name="Manager Test",
            groups="base.group_user,sputnik_crm.group_sputnik_manager",
        )
        cls.outsider = new_test_user(
            cls.env,
            login="sputnik_outsider_test",
            name="Internal User Without Sputnik Groups",
            groups="base.group_user",
        )
        cls.client = cls.env["res.partner"].create(
            {
                "name": "Tour Client Sputnik",
                "email": "tour.client@example.com",
                "phone": "+380 67 111 22 33",
                "customer_rank": 1,
                "user_id": cls.agent.id,
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Sputnik Test Service", "type": "service", "list_price": 1000.0}
        )
