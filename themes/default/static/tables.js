/*
 * sendsite: filtering and sorting for the tracker and risk register.
 * Progressive enhancement: without JavaScript the tables are complete and
 * grouped; with it, the filter form appears, column headers become sort
 * buttons, and filters can be linked to (?area=…&status=…&overdue=1).
 * What is shown is said on the page itself, so a printed copy says it too:
 * the lead ([data-filter-summary]) tells how many are shown and how they were
 * filtered, and each month's heading counts the items shown under it.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-table-filters]");
  if (!form) { return; }
  var table = document.getElementById(form.getAttribute("data-table-filters"));
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr[data-row]"));
  var groups = Array.prototype.slice.call(table.querySelectorAll("tr[data-group]"));
  var controls = Array.prototype.slice.call(form.querySelectorAll("[data-field]"));
  var status = form.querySelector("[data-filter-status]");
  var noun = table.id === "risk-table" ? "risks" : "items";
  /* A page that holds only some of the rows (a big site's) says the filters cover it only. */
  if (document.querySelector("[data-page-only]")) { noun += " on this page"; }
  var summary = document.querySelector("[data-filter-summary]");
  var summaryHTML = summary && summary.innerHTML;
  var summaryHidden = summary && summary.hidden;

  form.hidden = false;
  form.addEventListener("submit", function (event) { event.preventDefault(); });

  function wanted(control) {
    if (control.type === "checkbox") { return control.checked ? control.value : ""; }
    return control.value;
  }

  /* A filter in the address is applied even when no row here has that value (a link to
     a big tracker's complete items, and this page holds none; a word mistyped): it is
     added as an option that says so, and nothing is shown, rather than every row. */
  var params = new URLSearchParams(window.location.search);
  controls.forEach(function (control) {
    var value = params.get(control.name);
    if (value === null || value === "") { return; }
    if (control.type === "checkbox") { control.checked = value === control.value; return; }
    if (!Array.prototype.some.call(control.options, function (o) { return o.value === value; })) {
      var missing = document.createElement("option");
      missing.value = value;
      missing.textContent = value.replace(/-/g, " ") + " (none here)";
      control.appendChild(missing);
    }
    control.value = value;
  });

  function labelOf(control) {
    var label = control.labels && control.labels[0];
    return label ? label.textContent.trim() : control.name;
  }

  /* How the table is filtered, in words: "area Southend, overdue only". */
  function describe() {
    var parts = [];
    controls.forEach(function (control) {
      if (!wanted(control)) { return; }
      if (control.type === "checkbox") { parts.push(labelOf(control).toLowerCase()); }
      else {
        var option = control.options[control.selectedIndex];
        parts.push(labelOf(control).toLowerCase() + " " + option.textContent.trim());
      }
    });
    return parts.join(", ");
  }

  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var match = controls.every(function (control) {
        var want = wanted(control);
        return !want || row.getAttribute("data-" + control.getAttribute("data-field")) === want;
      });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    var filtered = shown !== rows.length;
    groups.forEach(function (group) {
      var next = group.nextElementSibling, count = 0;
      while (next && !next.hasAttribute("data-group")) {
        if (!next.hidden) { count += 1; }
        next = next.nextElementSibling;
      }
      group.hidden = !count || table.hasAttribute("data-sorted");
      var counter = group.querySelector("[data-group-count]");
      if (counter) {
        var all = counter.getAttribute("data-group-count");
        counter.textContent = filtered ? "(" + count + " of " + all + ")" : "(" + all + ")";
      }
    });
    status.textContent = filtered
      ? "Showing " + shown + " of " + rows.length + " " + noun + "."
      : "Showing all " + rows.length + " " + noun + ".";
    if (summary) {
      var how = describe();
      if (how) {
        summary.textContent = shown + " of " + rows.length + " " +
          summary.getAttribute("data-filter-summary") + " shown: " + how + ".";
      } else {
        summary.innerHTML = summaryHTML;
      }
      summary.hidden = summaryHidden && !how;
    }
    var query = new URLSearchParams();
    controls.forEach(function (control) {
      if (wanted(control)) { query.set(control.name, wanted(control)); }
    });
    var search = query.toString();
    window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
  }

  controls.forEach(function (control) { control.addEventListener("change", apply); });

  /* Sorting: each header becomes a button; rows sort by their cells' data-value. */
  var headers = Array.prototype.slice.call(table.querySelectorAll("thead th[data-sort]"));
  headers.forEach(function (th, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort-button";
    button.textContent = th.textContent;
    /* Printed in the button's place (a header row holding a button is not
       repeated on each printed page). */
    var label = document.createElement("span");
    label.className = "sort-label";
    label.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    th.appendChild(label);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var sorted = rows.slice().sort(function (a, b) {
        var x = a.cells[column].getAttribute("data-value") || "";
        var y = b.cells[column].getAttribute("data-value") || "";
        var order = x.localeCompare(y, "en-GB", {numeric: true, sensitivity: "base"});
        return ascending ? order : -order;
      });
      sorted.forEach(function (row) { body.appendChild(row); });
      table.setAttribute("data-sorted", "");
      apply();
    });
  });

  apply();
})();
