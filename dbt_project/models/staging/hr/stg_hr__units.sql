with

source as (

    select * from {{ source('raw', 'don_vi') }}

),

renamed as (

    select
        _month as month_date,
        unit_code,
        unit_name,
        unit_level,
        parent_unit_code,
        valid_from as valid_from_date,
        valid_to as valid_to_date,
        successor_unit_code,
        _file as source_file,
        _line as source_line,
        _file_sha256 as source_file_sha256

    from source

)

select * from renamed
