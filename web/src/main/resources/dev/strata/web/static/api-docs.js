// Starts Swagger UI on the page /api-docs with the description this server answers at /openapi.json. A file of its
// own, not an inline script: the content security policy allows scripts from this server only.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: false,
    // no badge from validator.swagger.io: the page loads nothing from elsewhere
    validatorUrl: null
  });
});
