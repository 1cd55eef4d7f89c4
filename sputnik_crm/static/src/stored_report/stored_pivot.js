/** @odoo-module **/

import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { pivotView } from "@web/views/pivot/pivot_view";
import { PivotRenderer } from "@web/views/pivot/pivot_renderer";
import { onWillStart, onWillUpdateProps, useState } from "@odoo/owl";

/**
 * The pivot of a stored report (a materialized view, see
 * sputnik.report.mixin): next to its buttons, when its rows were computed
 * (their ``computed_on``, the same on every row of a computation).
 */
export class SputnikStoredPivotRenderer extends PivotRenderer {
    setup() {
        super.setup();
        this.orm = useService("orm");
        this.computedOn = useState({ value: "" });
        onWillStart(() => this.loadComputedOn(this.props));
        onWillUpdateProps((nextProps) => this.loadComputedOn(nextProps));
    }

    async loadComputedOn(props) {
        const [row] = await this.orm.searchRead(
            props.model.metaData.resModel,
            [],
            ["computed_on"],
            { limit: 1, order: "computed_on desc" }
        );
        this.computedOn.value = row?.computed_on
            ? formatDateTime(deserializeDateTime(row.computed_on))
            : "";
    }
}

registry.category("views").add("sputnik_stored_pivot", {
    ...pivotView,
    Renderer: SputnikStoredPivotRenderer,
    buttonTemplate: "sputnik_crm.StoredPivotButtons",
});
