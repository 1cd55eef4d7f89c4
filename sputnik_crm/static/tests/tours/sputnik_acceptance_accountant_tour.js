/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// An accountant registers the deposit payment of a booking's invoice and finds
// it in Client Settlements at once. The tour starts on the invoice; the data
// comes from the Python test (tests/test_acceptance.py).
registry.category("web_tour.tours").add("sputnik_acceptance_accountant_tour", {
    steps: () => [
        {
            content: "the deposit invoice of the booking is open",
            trigger: ".o_form_view .o_field_widget[name=partner_id]:contains('Settled Client')",
        },
        {
            content: "register its payment",
            trigger: ".o_form_view .o_form_statusbar button[name=action_register_payment]",
            run: "click",
        },
        {
            content: "the whole deposit is proposed",
            trigger: ".modal .o_field_widget[name=amount] input",
            run() {
                if (this.anchor.value.replace(/[^0-9]/g, "") !== "900000") {
                    throw new Error(`The payment proposed is ${this.anchor.value}`);
                }
            },
        },
        {
            content: "create the payment",
            trigger: ".modal button[name=action_create_payments]",
            run: "click",
        },
        {
            content: "the invoice is paid (or in payment)",
            trigger: ".o_form_view .ribbon",
        },
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        {
            content: "open the customers section",
            trigger: ".o_main_navbar button[data-menu-xmlid='account.menu_finance_receivables']",
            run: "click",
        },
        {
            content: "open Client Settlements",
            trigger: ".o-dropdown--menu a[data-menu-xmlid='sputnik_crm.sputnik_client_settlement_menu_account']",
            run: "click",
        },
        {
            content: "the client has paid the deposit: 9,000.00 paid, nothing due",
            trigger: ".o_list_view .o_data_row:contains('Settled Client') td[name=amount_paid]:contains('9,000.00')",
            run() {
                const row = this.anchor.closest(".o_data_row");
                const due = row.querySelector("td[name=amount_due]").textContent;
                if (!due.includes("0.00") || due.includes("9,000.00")) {
                    throw new Error(`The client still owes ${due}`);
                }
            },
        },
        {
            content: "the row tells when it was computed",
            trigger: ".o_list_view .o_data_row:contains('Settled Client') td[name=computed_on]:not(:empty)",
        },
        {
            content: "switch to the pivot",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "the pivot tells when its figures were computed",
            trigger: ".o_pivot_view .o_sputnik_computed_on:contains('Computed On')",
        },
    ],
});
