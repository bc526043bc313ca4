"""Content: files turned into typed values. No area is named here.

documents    content files: front matter with positions, body, areas, discovery
yamlfile     safe YAML that remembers the line of every key
fields       validated access to front matter for format plugins
dates        UK due dates, kept as written and understood as a range
date_doubts  what a date as written leaves in doubt: the warning at its key
status       the shared status scale and each area's key
markdown     Markdown to sanitised HTML; slugs
model        the common model: Report, Item, Risk, Section, Format, GlossaryTerm
glossary     the glossary file, merging terms, marking abbreviations
topics       the topics file
tables       tables every format has, read into the common model
integers     whole numbers in a range: the reader and its schema
schema       JSON Schemas of front matter for editors
attachments  which other files in content/ may be published, and where
"""
