/** Where the practices the rules enforce are written down: Lumenfall's authentication guide. */
export const GUIDE_URL = "https://docs.lumenfall.ai/authentication#security-best-practices";

/** Where a leaked Lumenfall key is revoked: the API keys page of the Lumenfall dashboard. */
export const DASHBOARD_URL = "https://lumenfall.ai/app/api_keys";

/** Every scope a Lumenfall key can leak from (working tree, package, history, client code). */
export const LEAK_SCOPES = ["repository", "package", "history", "shipped"] as const;
