with

source as (

    select * from {{ source('raw', 'tien_do_gpmb') }}

),

renamed as (

    select
        _month as month_date,
        project_code,
        area_required_m2,
        area_handed_over_m2,
        households_affected,
        households_compensated,
        _file as source_file,
        _line as source_line,
        _file_sha256 as source_file_sha256

    from source

)

select * from renamed
