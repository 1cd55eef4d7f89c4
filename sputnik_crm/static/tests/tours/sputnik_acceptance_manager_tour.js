/** @odoo-module **/

import { registry } from "@web/core/registry";

/** The number in a formatted amount ("1 234 567 ₴", "1 234 567,00"), rounded. */
function amount(text) {
    const digits = text.replace(/[^0-9,.-]/g, "");
    // the decimal separator is the last one followed by 1-2 digits
    const decimal = digits.match(/[,.](\d{1,2})$/);
    const whole = decimal ? digits.slice(0, -decimal[0].length) : digits;
    const value = Number(whole.replace(/[,.]/g, "") + (decimal ? `.${decimal[1]}` : ""));
    return Math.round(value);
}

// A manager reads the revenue on the KPI dashboard, opens its report and finds
// the same figure there, then downloads the dashboard as XLSX.
registry.category("web_tour.tours").add("sputnik_acceptance_manager_tour", {
    steps: () => [
        {
            content: "the dashboard shows a revenue",
            trigger: ".o_sputnik_kpi_dashboard .o_sputnik_kpi[data-kpi='revenue'] .o_sputnik_kpi_value",
            run() {
                const value = amount(this.anchor.textContent);
                if (!value) {
                    throw new Error(`No revenue: "${this.anchor.textContent}"`);
                }
                sessionStorage.setItem("sputnik_acceptance_revenue", String(value));
            },
        },
        {
            content: "watch the XLSX download",
            trigger: ".o_sputnik_kpi_dashboard .o_sputnik_kpi_xlsx",
            run() {
                window.sputnikXlsxStatus = null;
                const open = XMLHttpRequest.prototype.open;
                XMLHttpRequest.prototype.open = function (method, url, ...rest) {
                    if (String(url).includes("/sputnik_crm/kpi_dashboard/xlsx")) {
                        this.addEventListener("loadend", () => {
                            window.sputnikXlsxStatus = this.status;
                        });
                    }
                    return open.call(this, method, url, ...rest);
                };
                const fetch = window.fetch;
                window.fetch = async function (resource, ...rest) {
                    const response = await fetch.call(this, resource, ...rest);
                    if (String(resource?.url || resource).includes("/sputnik_crm/kpi_dashboard/xlsx")) {
                        window.sputnikXlsxStatus = response.status;
                    }
                    return response;
                };
            },
        },
        {
            content: "download the dashboard as XLSX",
            trigger: ".o_sputnik_kpi_dashboard .o_sputnik_kpi_xlsx",
            run: "click",
        },
        {
            content: "the workbook is served",
            trigger: ".o_sputnik_kpi_dashboard .o_sputnik_kpi_xlsx",
            async run() {
                const started = Date.now();
                while (window.sputnikXlsxStatus === null && Date.now() - started < 20000) {
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }
                if (window.sputnikXlsxStatus !== 200) {
                    throw new Error(`The XLSX download answered ${window.sputnikXlsxStatus}`);
                }
            },
        },
        {
            content: "drill the revenue down to its report",
            trigger: ".o_sputnik_kpi_dashboard:not(:has(.o_blockUI)) .o_sputnik_kpi[data-kpi='revenue']",
            run: "click",
        },
        {
            content: "the bookings analysis of the period shows the same revenue",
            trigger: ".o_pivot_view .o_pivot table tbody tr:first-child td.o_pivot_cell_value",
            run() {
                // the grand totals close the first row: revenue, margin,
                // seats, bookings (the measures of the pivot, in order)
                const cells = this.anchor.closest("tr").querySelectorAll("td.o_pivot_cell_value");
                const revenue = amount(cells[cells.length - 4].textContent);
                const expected = Number(sessionStorage.getItem("sputnik_acceptance_revenue"));
                if (revenue !== expected) {
                    throw new Error(`The report shows ${revenue}, the dashboard ${expected}`);
                }
            },
        },
    ],
});
