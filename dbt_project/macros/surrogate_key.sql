{#- A surrogate key: the hash of the natural key's parts, nulls spelled out so they differ. -#}
{% macro surrogate_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '#null')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{#- The key of a dimension's missing member: facts that match no row point here. -#}
{% macro missing_member_key() -%}
    {{ dbt.hash("'#missing'") }}
{%- endmacro %}
