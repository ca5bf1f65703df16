/**
 * Template extraction: YAML templates (config/templates and the user's folders) that read the
 * text of a PDF into a normalized invoice.
 */
export { loadTemplates, type TemplateProblem } from './loadTemplates.ts';
export { extractWithTemplates, applyTemplate, type TemplateExtraction } from './extractWithTemplates.ts';
export { chooseTemplate } from './chooseTemplate.ts';
export type { Template } from './template.ts';
export { HEADER_FIELDS, LINE_GROUPS, VALUE_TYPES, type HeaderField, type ValueType } from './templateSchema.ts';
