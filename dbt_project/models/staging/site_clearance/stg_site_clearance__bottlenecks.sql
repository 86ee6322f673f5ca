with

source as (

    select * from {{ source('raw', 'vuong_mac') }}

),

renamed as (

    select
        _month as month_date,
        bottleneck_id,
        project_code,
        kind as bottleneck_kind,
        description as bottleneck_description,
        commune_unit_code,
        unit_code,
        reported_date,
        due_date,
        resolved_date,
        _file as source_file,
        _line as source_line,
        _file_sha256 as source_file_sha256

    from source

)

select * from renamed
