// Shapes the contract fixes for identifiers and parameters, checked by routes and the admin API alike.

/** Source ids and category slugs (contract: ^[a-z0-9][a-z0-9-]{0,62}$). */
export const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A BCP 47 language tag of the common shape ("th", "vi-VN"). */
export const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
