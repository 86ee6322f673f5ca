{#- Tests of a model that holds months (a month_date column) look at the month being closed
    only: the gate of month M must judge month M, and earlier closed months were judged when
    they were closed. A test's own `where` config still wins. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if execute and not where and relation.identifier in monthly_relations() -%}
        {%- set where = 'month_date = ' ~ close_month() -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- Names of the models whose documented columns include month_date. -#}
{% macro monthly_relations() -%}
    {%- set names = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and 'month_date' in node.columns -%}
            {%- do names.append(node.alias) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do return(names) -%}
{%- endmacro %}
