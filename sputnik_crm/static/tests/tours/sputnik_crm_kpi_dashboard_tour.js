/** @odoo-module **/

import { registry } from "@web/core/registry";

// A manager reads the KPI dashboard on the demo data, changes the period and
// opens the report behind a figure.
registry.category("web_tour.tours").add("sputnik_crm_kpi_dashboard_tour", {
    steps: () => [
        {
            content: "the dashboard shows the revenue of the period",
            trigger: ".o_sputnik_kpi_dashboard .o_sputnik_kpi[data-kpi='revenue'] .o_sputnik_kpi_value",
            run() {
                const value = this.anchor.textContent.trim();
                if (!value || value === "–") {
                    throw new Error(`No revenue on the dashboard: "${value}"`);
                }
            },
        },
        {
            content: "every section is there",
            trigger: ".o_sputnik_kpi[data-kpi='retention']",
            run() {
                for (const key of ["csat", "dso", "lead_conversion", "recipients"]) {
                    if (!document.querySelector(`.o_sputnik_kpi[data-kpi='${key}']`)) {
                        throw new Error(`The indicator ${key} is missing`);
                    }
                }
            },
        },
        {
            content: "choose this year",
            trigger: ".o_sputnik_kpi_dashboard button[data-preset='this_year']",
            run: "click",
        },
        {
            content: "the period starts on the first of January",
            trigger: ".o_sputnik_kpi_from",
            run() {
                const year = new Date().getFullYear();
                if (this.anchor.value !== `${year}-01-01`) {
                    throw new Error(`The period starts on ${this.anchor.value}`);
                }
            },
        },
        {
            content: "open the bookings behind the revenue",
            trigger: ".o_sputnik_kpi[data-kpi='revenue']",
            run: "click",
        },
        {
            content: "the bookings analysis opens",
            trigger: ".o_pivot_view, .o_graph_view, .o_list_view",
        },
    ],
});
