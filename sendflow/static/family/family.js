// Progressive enhancement only: every family page works without JavaScript.
import { initAll } from "../govuk-frontend-5.14.0/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
